/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page frame in a page table entry, as the migrate tracepoints hand it
 * over (pte_val()): a layout of the architecture's page tables, which CO-RE
 * cannot relocate.  x86-64 only; elsewhere pte_pfn() is 0 ("unknown").
 *
 * x86-64 (arch/x86/include/asm/pgtable_64.h, pgtable-invert.h, and
 * include/linux/swapops.h; the same from Linux 5.x to 6.18):
 * - present (_PAGE_PRESENT, bit 0): the frame is bits 12..51;
 * - PROT_NONE (_PAGE_PROTNONE, bit 8, without bit 0): the same bits,
 *   inverted (the L1TF mitigation);
 * - otherwise a swap entry (a migration entry for set_migration_pte):
 *   type in bits 59..63, the offset inverted in bits 9..58.  A migration
 *   entry's offset is the pfn, with its young and dirty bits just above
 *   SWP_PFN_BITS = MAX_PHYSMEM_BITS - PAGE_SHIFT: 34 with 4-level paging,
 *   40 with 5-level.  Masking to 34 bits is right for both up to 64 TiB of
 *   physical address space.
 * Memory encryption (SME/SEV) would put its C-bit inside the frame bits:
 * not handled, as no kernel here runs with it.
 */
#ifndef KSM_PTE_DECODE_BPF_H
#define KSM_PTE_DECODE_BPF_H

#if defined(__TARGET_ARCH_x86)
#define X86_PAGE_PRESENT (1ULL << 0)
#define X86_PAGE_PROTNONE (1ULL << 8)
#define X86_PTE_PFN_MASK 0x000ffffffffff000ULL
#define X86_SWP_TYPE_BITS 5
#define X86_SWP_OFFSET_SHIFT (9 + X86_SWP_TYPE_BITS)
#define X86_SWP_PFN_MASK ((1ULL << 34) - 1)

static __always_inline __u64 pte_pfn(__u64 pte)
{
	if (pte & X86_PAGE_PRESENT)
		return (pte & X86_PTE_PFN_MASK) >> 12;
	if (pte & X86_PAGE_PROTNONE)
		return (~pte & X86_PTE_PFN_MASK) >> 12;
	return ((~pte << X86_SWP_TYPE_BITS) >> X86_SWP_OFFSET_SHIFT) & X86_SWP_PFN_MASK;
}
#else
static __always_inline __u64 pte_pfn(__u64 pte)
{
	return 0;
}
#endif

#endif /* KSM_PTE_DECODE_BPF_H */
