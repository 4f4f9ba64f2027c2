// SPDX-License-Identifier: GPL-2.0
/*
 * migexec - execs with a big argument list while their stack pages are
 * migrated between NUMA nodes with move_pages(2): the 2010 race between
 * migration and exec moving its temporary stack (kernel-patch/testing/0003).
 *
 *   migexec race ROUNDS    one exec per round, driven through the gates of
 *                          /sys/kernel/debug/ksm_test/exec_stack_* (the
 *                          exec'ing child is target_pid) so that the
 *                          migration straddles exec's stack move
 *   migexec stress EXECS   a chain of EXECS execs while another process
 *                          keeps migrating the exec'ing process's stack,
 *                          no gates, no knobs
 *   migexec child N ARG... (internal) check the arguments, exec again N times
 *
 * Output, one line each: "round R: pages=P moved=M held=0|1 exec=exited:C|
 * killed:S", then the kernel's "addr=0x.. moved_to=0x.. pfn=0x.." lines of
 * exec_stack_repaired, and at the end "own: moved=N" (this process's own
 * pages migrated too, so that a clean run has paired events); for stress
 * "stress: execs=E stack_moved=S own_moved=N".
 */
#include "guest.h"
#include <stdbool.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>

#define KT "/sys/kernel/debug/ksm_test/"
#define NARGS 64
#define ARGLEN 1023
#define MAXPAGES 32
#define MPOL_MF_MOVE_ALL (1 << 2)
#define GATE_EXEC_BEFORE 1
#define GATE_MIGRATE_HOLD 2
#define GATE_EXEC_WINDOW 4
#define WAIT_MS 120000

static long psz;

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void put(const char *knob, unsigned long v)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), KT "%s", knob);
	f = fopen(path, "w");
	if (!f || fprintf(f, "%lu\n", v) < 0 || fclose(f))
		die(path);
}

static unsigned long gates(void)
{
	unsigned long v = 0;
	FILE *f = fopen(KT "exec_stack_gates", "r");

	if (!f || fscanf(f, "%lu", &v) != 1)
		die(KT "exec_stack_gates");
	fclose(f);
	return v;
}

/* Wait until a gate has a waiter or pid exited; true for the gate. */
static bool wait_gate(unsigned long gate, pid_t pid, int *status)
{
	for (int t = 0; t < WAIT_MS; t += 5) {
		if (gates() & gate)
			return true;
		if (pid && waitpid(pid, status, WNOHANG) == pid)
			return false;
		sleep_ms(5);
	}
	fprintf(stderr, "migexec: gate %lu: nobody came\n", gate);
	exit(1);
}

/* The pattern of argument i, so that the exec'd program can check it. */
static char *arg_text(int i)
{
	char *a = malloc(ARGLEN + 1);

	if (!a)
		die("malloc");
	memset(a, 'a' + i % 26, ARGLEN);
	a[ARGLEN] = '\0';
	return a;
}

static void exec_child(int n)
{
	char *argv[NARGS + 4], num[16];

	snprintf(num, sizeof(num), "%d", n);
	argv[0] = "migexec";
	argv[1] = "child";
	argv[2] = num;
	for (int i = 0; i < NARGS; i++)
		argv[3 + i] = arg_text(i);
	argv[NARGS + 3] = NULL;
	execv("/proc/self/exe", argv);
	die("execv");
}

static int child(int argc, char **argv)
{
	if (argc != NARGS + 3)
		return fprintf(stderr, "migexec child: %d arguments\n", argc), 4;
	for (int i = 0; i < NARGS; i++) {
		const char *a = argv[3 + i];

		if (strspn(a, (char[]){ 'a' + i % 26, 0 }) != ARGLEN || a[ARGLEN])
			return fprintf(stderr, "migexec child: argument %d corrupted\n", i), 4;
	}
	if (atoi(argv[2]) > 0)
		exec_child(atoi(argv[2]) - 1);
	return 0;
}

/* The topmost mapping of pid: exec's stack (the temporary one mid-exec). */
static int stack_pages(pid_t pid, void **pages, int max)
{
	unsigned long s = 0, e = 0, a, b;
	char path[64], line[512];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &a, &b) == 2 && !strstr(line, "[vsyscall]") && b > e)
			s = a, e = b;
	fclose(f);
	for (a = e; a > s && n < max; a -= psz)
		pages[n++] = (void *)(a - psz);
	return n;
}

/* Move each page to the node it is not on; the number of pages moved. */
static int move_away(pid_t pid, void **pages, int n)
{
	int nodes[MAXPAGES], status[MAXPAGES], moved = 0;

	if (syscall(SYS_move_pages, pid, n, pages, NULL, status, 0))
		return 0;
	for (int i = 0; i < n; i++)
		nodes[i] = status[i] == 1 ? 0 : 1;
	if (syscall(SYS_move_pages, pid, n, pages, nodes, status, MPOL_MF_MOVE_ALL) < 0)
		return 0;
	for (int i = 0; i < n; i++)
		moved += status[i] == nodes[i];
	return moved;
}

/* Some pages of this process, moved between the nodes: paired set/remove. */
static int move_own(void)
{
	static char *buf;
	void *pages[8];

	if (!buf) {
		buf = mmap(NULL, 8 * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED)
			die("mmap");
	}
	for (int i = 0; i < 8; i++) {
		buf[i * psz] = (char)i;
		pages[i] = buf + i * psz;
	}
	return move_away(0, pages, 8);
}

/* A child that waits for a byte on fd, then runs fn. */
static pid_t spawn(int *go, void (*fn)(void *), void *arg)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(1);
		fn(arg);
		_exit(0);
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

static void release(int go)
{
	if (write(go, "g", 1) != 1)
		die("write");
	close(go);
}

static void do_exec(void *arg)
{
	(void)arg;
	exec_child(0);
}

struct mig_job {
	pid_t target;
	int result[2]; /* pipe: pages, moved */
};

static void do_migrate(void *arg)
{
	struct mig_job *j = arg;
	void *pages[MAXPAGES];
	int r[2];

	r[0] = stack_pages(j->target, pages, 4);
	r[1] = move_away(j->target, pages, r[0]);
	if (write(j->result[1], r, sizeof(r)) != sizeof(r))
		_exit(1);
}

static void print_exit(int round, const int *r, bool held, int st)
{
	printf("round %d: pages=%d moved=%d held=%d exec=%s:%d\n", round, r[0], r[1], held,
	       WIFSIGNALED(st) ? "killed" : "exited",
	       WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

/* One exec, its stack migrated across the gates (see the top of the knob). */
static void race_round(int round)
{
	struct mig_job j;
	int go_t, go_m, st_t, st_m, r[2] = { 0, 0 };
	pid_t t, m;
	bool held;

	if (pipe(j.result))
		die("pipe");
	t = spawn(&go_t, do_exec, NULL);
	j.target = t;
	m = spawn(&go_m, do_migrate, &j);
	put("target_pid", t);
	put("exec_stack_migrator", m);
	release(go_t);
	wait_gate(GATE_EXEC_BEFORE, 0, NULL);
	release(go_m);
	held = wait_gate(GATE_MIGRATE_HOLD, m, &st_m);
	put("exec_stack_gates", GATE_EXEC_BEFORE);
	wait_gate(GATE_EXEC_WINDOW, 0, NULL);
	if (held) {
		put("exec_stack_gates", GATE_MIGRATE_HOLD);
		waitpid(m, &st_m, 0);
	}
	if (read(j.result[0], r, sizeof(r)) != sizeof(r))
		fprintf(stderr, "migexec: the migrator said nothing\n");
	put("exec_stack_gates", GATE_EXEC_WINDOW);
	waitpid(t, &st_t, 0);
	print_exit(round, r, held, st_t);
	close(j.result[0]);
	close(j.result[1]);
}

static void print_repaired(void)
{
	char line[256];
	FILE *f = fopen(KT "exec_stack_repaired", "r");

	if (!f)
		die(KT "exec_stack_repaired");
	while (fgets(line, sizeof(line), f))
		fputs(line, stdout);
	fclose(f);
}

static int race(int rounds)
{
	for (int i = 1; i <= rounds; i++) {
		race_round(i);
		print_repaired();
		put("target_pid", 0);
		fflush(stdout);
	}
	put("exec_stack_migrator", 0);
	printf("own: moved=%d\n", move_own());
	return 0;
}

/* A chain of execs, and this process migrating its stack all along. */
static int stress(int execs)
{
	int st, stack_moved = 0, own_moved = 0;
	void *pages[MAXPAGES];
	pid_t t = fork();

	if (t < 0)
		die("fork");
	if (!t)
		exec_child(execs);
	while (waitpid(t, &st, WNOHANG) == 0) {
		stack_moved += move_away(t, pages, stack_pages(t, pages, MAXPAGES));
		own_moved += move_own();
	}
	printf("stress: execs=%d stack_moved=%d own_moved=%d exec=%s:%d\n", execs, stack_moved,
	       own_moved, WIFSIGNALED(st) ? "killed" : "exited",
	       WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	return !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(int argc, char **argv)
{
	psz = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && !strcmp(argv[1], "child"))
		return child(argc, argv);
	if (argc == 3 && !strcmp(argv[1], "race"))
		return race(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "stress"))
		return stress(atoi(argv[2]));
	fprintf(stderr, "usage: migexec race ROUNDS | stress EXECS\n");
	return 2;
}
