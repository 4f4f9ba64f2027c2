/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A process's memory as the kernel maps it: its VMAs (/proc/PID/maps or
 * smaps), which frame backs each page (/proc/PID/pagemap), and what the
 * kernel knows of a frame (/proc/kpageflags, /proc/kpagecgroup).  The
 * sharing walker and ksmadvise read memory through these.  Frames are
 * visible to root only (pagemap shows pfn 0 otherwise).  $KSM_PROC_DIR
 * stands in for /proc in tests.
 */
#ifndef KSM_PAGEMAP_H
#define KSM_PAGEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst) */
#define PM_PFN_MASK ((1ULL << 55) - 1)
#define PM_EXCLUSIVE (1ULL << 56) /* mapped once: no other mapping can share it */
#define PM_FILE (1ULL << 61)	  /* a file page or shared anon: never KSM's */
#define PM_SWAP (1ULL << 62)
#define PM_PRESENT (1ULL << 63)

/* kpageflags bits (include/uapi/linux/kernel-page-flags.h) */
#define KPF_ANON 12
#define KPF_KSM 21
#define KPF_THP 22
#define KPF_ZERO_PAGE 24

enum vma_flags {
	VMA_PRIVATE = 1 << 0,	/* 'p' in maps: anon pages can live here */
	VMA_MERGEABLE = 1 << 1, /* VmFlags "mg": ksmd scans it (madvise or prctl) */
	VMA_KSM_OK = 1 << 2,	/* KSM could be enabled here (vma_ksm_compatible) */
	VMA_SPECIAL = 1 << 3,	/* [vsyscall], [vvar], [vdso]: never read */
};

struct vma {
	uint64_t start, end;
	unsigned int flags;
};

struct vma_list {
	struct vma *v;
	size_t n, cap;
};

/*
 * Read the VMAs of a process.  With smaps, the VmFlags line sets
 * VMA_MERGEABLE and VMA_KSM_OK (smaps costs a page-table walk; maps does
 * not, and leaves both clear).  0 or -errno (-ENOENT: the process is gone).
 */
int proc_read_vmas(pid_t pid, bool smaps, struct vma_list *l);
void vma_list_free(struct vma_list *l);

/* Parse one VmFlags value ("rd wr mr mw me ac sd mg") into VMA_* bits. */
unsigned int vma_parse_vmflags(const char *text);

/* Open /proc/PID/pagemap: an fd or -errno. */
int pagemap_open(pid_t pid);
/*
 * The entries of n pages from the page at vaddr; returns how many were read
 * (fewer at the end of the address space) or -errno.
 */
ssize_t pagemap_read(int fd, uint64_t vaddr, uint64_t *ent, size_t n);

/*
 * Per-frame facts: kpageflags, and kpagecgroup (the inode number of the
 * memory cgroup the frame is charged to, which is its cgroup v2 id).  A few
 * thousand recently read frames are cached: the same KSM frame or the zero
 * page comes back once per mapping.
 */
struct kpage_reader {
	int flags_fd, cgroup_fd;
	uint64_t hits, reads;
	struct kpage_slot {
		uint64_t pfn; /* + 1: 0 is an empty slot */
		uint64_t flags;
	} cache[4096];
};

/* Open kpageflags, and kpagecgroup if asked; 0 or -errno. */
int kpage_open(struct kpage_reader *k, bool cgroup);
void kpage_close(struct kpage_reader *k);
int kpage_flags(struct kpage_reader *k, uint64_t pfn, uint64_t *flags);
/* 0 and *ino = 0 when the kernel has no memcg or the frame is uncharged. */
int kpage_cgroup(struct kpage_reader *k, uint64_t pfn, uint64_t *ino);

#endif
