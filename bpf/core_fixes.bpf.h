/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-layout workarounds of the BPF event source, in one place: what CO-RE
 * cannot express by field relocation alone.  Each says which kernels need it.
 * Include after vmlinux.h and the libbpf headers.
 */
#ifndef KSM_CORE_FIXES_BPF_H
#define KSM_CORE_FIXES_BPF_H

/*
 * folio->mapping low bits: PAGE_MAPPING_ANON | PAGE_MAPPING_MOVABLE mark an
 * anon folio, both set a KSM one whose mapping points at its stable node
 * (include/linux/page-flags.h; the same in every 5.x and 6.x kernel).  They
 * are #defines, so BTF does not carry them.
 */
#define MAPPING_FLAGS 3UL
#define MAPPING_KSM 3UL

/*
 * Base of the struct page array, for folio -> pfn: the x86-64 4-level
 * default, or the vmemmap_base variable on kernels that randomise the
 * layout (CONFIG_RANDOMIZE_MEMORY, most distribution kernels).  A weak
 * ksym: absent where the layout is fixed.
 */
const volatile __u64 vmemmap_start = 0xffffea0000000000ULL;
extern const void vmemmap_base __ksym __weak;

/*
 * fentry/fexit arguments are trusted BTF pointers, which the verifier keeps
 * out of arithmetic (6.1+): copy the value through a helper to get a plain
 * number.
 */
static __always_inline __u64 ptr_value(const void *p)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &p);
	return v;
}

/* A struct page (or folio) address as a frame number. */
static __always_inline __u64 page_ptr_to_pfn(__u64 page)
{
	__u64 base = vmemmap_start;

	if (&vmemmap_base)
		bpf_probe_read_kernel(&base, sizeof(base), &vmemmap_base);
	return (page - base) / bpf_core_type_size(struct page);
}

static __always_inline __u64 folio_to_pfn(struct folio *folio)
{
	return page_ptr_to_pfn(ptr_value(folio));
}

/*
 * KSM's private structures, read by the stand-ins of the stock tracepoints
 * (bpf/ksm_standins.bpf.h) on kernels before 6.4: struct ksm_rmap_item and
 * ksm_stable_node, named so since Linux 6.0 (rmap_item and stable_node in
 * 5.x, which the light skeleton cannot load on anyway: its in-kernel CO-RE
 * needs 5.17+).  An rmap_item sits on its stable node's hlist by the member
 * hlist, inside an anonymous union: CO-RE gives its offset.
 */
static __always_inline void *rmap_item_mm(__u64 item)
{
	return BPF_CORE_READ((struct ksm_rmap_item *)item, mm);
}

static __always_inline __u64 rmap_item_of(__u64 hlist_pos)
{
	return hlist_pos - bpf_core_field_offset(struct ksm_rmap_item, hlist);
}

static __always_inline __u64 hlist_next(__u64 pos)
{
	return (__u64)BPF_CORE_READ((struct hlist_node *)pos, next);
}

static __always_inline __u64 stable_node_kpfn(__u64 node)
{
	return BPF_CORE_READ((struct ksm_stable_node *)node, kpfn);
}

static __always_inline __u64 stable_node_first(__u64 node)
{
	return (__u64)BPF_CORE_READ((struct ksm_stable_node *)node, hlist.first);
}

/*
 * The return value of the traced function, wherever it sits: kernel-patch/
 * adds a reason argument to remove_stable_node and remove_all_stable_nodes,
 * so a fixed BPF_PROG signature would read the wrong slot (any kernel).
 */
static __always_inline __s64 func_ret(void *ctx)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	return (__s64)ret;
}

/* The folio's stable node, or 0 if it is not a KSM folio. */
static __always_inline __u64 folio_ksm_node(struct folio *folio, bool *is_ksm)
{
	__u64 mapping = (__u64)BPF_CORE_READ(folio, mapping);

	*is_ksm = (mapping & MAPPING_FLAGS) == MAPPING_KSM;
	return *is_ksm ? mapping & ~MAPPING_FLAGS : 0;
}

/*
 * PG_uptodate of a folio.  The flags word opens struct page and folio in
 * every kernel, typed unsigned long up to 6.12 and memdesc_flags_t later,
 * which CO-RE will not match: read the word at offset 0.  The bit number
 * comes from the running kernel's enum pageflags.
 */
static __always_inline bool folio_test_uptodate_word(struct folio *folio)
{
	__u64 flags = 0;

	bpf_probe_read_kernel(&flags, sizeof(flags), folio);
	return (flags >> bpf_core_enum_value(enum pageflags, PG_uptodate)) & 1;
}

#endif /* KSM_CORE_FIXES_BPF_H */
