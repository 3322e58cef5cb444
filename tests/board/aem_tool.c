// SPDX-License-Identifier: GPL-2.0
/*
 * aem_tool: the user side of aem.ko's board scenarios
 * (tests/board/aem_board_test.sh). Each command opens /dev/aem, makes
 * something happen, reads the records back and checks them; it prints
 * "ok ..." and exits 0, or prints each failed check ("FAIL ...") and exits 1.
 * Static, so the board needs no C library.
 *
 *   aem_tool lifecycle            fork, exec, exit of a child: pid/ppid/uid/comm, code
 *   aem_tool pidfilter            a pid filter sees one child, not its sibling
 *   aem_tool uidfilter            a uid filter sees the uid-1000 child only
 *   aem_tool channels             user events reach the channel's subscribers only
 *   aem_tool flood                4 KiB rings flooded unread: LOST counts, seq continuity
 *   aem_tool order WORKERS N      concurrent producers: seq +1 each, time per CPU
 *   aem_tool stress WORKERS N     producers on every CPU, a slow reader, churn
 *   aem_tool poll                 poll, epoll, blocking and O_NONBLOCK reads
 *   aem_tool limits MAX           subscriber limit, ring sizes, bad arguments
 *   aem_tool hold N               opens N subscribers (4 MiB rings), waits forever
 *   aem_tool verdict PATH REFUSED exec PATH: a VERDICT record (reason unsigned)
 *   aem_tool post CHANNEL TEXT    posts TEXT to CHANNEL, prints how many took it
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aem_uapi.h"

#define DEV "/dev/aem"
#define ALL_PROC (AEM_TYPE_BIT(AEM_EVENT_FORK) | AEM_TYPE_BIT(AEM_EVENT_EXEC) | \
		  AEM_TYPE_BIT(AEM_EVENT_EXIT))

static int failures;

static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("FAIL ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	failures++;
}

#define CHECK(cond, ...) do { if (!(cond)) fail(__VA_ARGS__); } while (0)

static int finish(const char *what)
{
	if (!failures)
		printf("ok %s\n", what);
	return failures ? 1 : 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int subscribe(uint32_t types, int32_t pid, uint32_t uid, const char *channel,
		     uint32_t ring)
{
	struct aem_filter f;
	int fd = open(DEV, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		fail("open %s: %s", DEV, strerror(errno));
		exit(1);
	}
	if (ring && ioctl(fd, AEM_IOC_SET_RING, &ring) != 0) {
		fail("AEM_IOC_SET_RING %u: %s", ring, strerror(errno));
		exit(1);
	}
	memset(&f, 0, sizeof(f));
	f.types = types;
	f.pid = pid;
	f.uid = uid;
	snprintf(f.channel, sizeof(f.channel), "%s", channel ? channel : "");
	if (ioctl(fd, AEM_IOC_SET_FILTER, &f) != 0) {
		fail("AEM_IOC_SET_FILTER: %s", strerror(errno));
		exit(1);
	}
	return fd;
}

static int post(int fd, const char *channel, const void *data, uint32_t len)
{
	struct aem_post p;

	memset(&p, 0, sizeof(p));
	snprintf(p.channel, sizeof(p.channel), "%s", channel);
	p.data = (uintptr_t)data;
	p.len = len;
	return ioctl(fd, AEM_IOC_POST, &p);
}

/* Records read so far from one subscriber. */
struct records {
	char *buf;
	size_t len, cap;
};

/* Reads every queued record (the fd is non-blocking). */
static void drain(int fd, struct records *r)
{
	for (;;) {
		ssize_t n;

		if (r->cap - r->len < 65536) {
			r->cap = r->cap ? r->cap * 2 : 1 << 20;
			r->buf = realloc(r->buf, r->cap);
			if (!r->buf)
				abort();
		}
		n = read(fd, r->buf + r->len, r->cap - r->len);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0 || (size_t)n > r->cap - r->len) {
			fail("read: %zd (%s)", n, n ? strerror(errno) : "end of file");
			return;
		}
		r->len += (size_t)n;
	}
}

#define FOR_EACH_RECORD(h, r)							\
	for (const struct aem_event_header *h = (const void *)(r)->buf;	\
	     (const char *)h < (r)->buf + (r)->len;				\
	     h = (const void *)((const char *)h + h->size))

/* Checks the framing: sizes, alignment, seq continuity over lost events. */
static void check_framing(const struct records *r, uint64_t *events, uint64_t *lost,
			  uint64_t *last_seq)
{
	uint64_t prev = 0;

	*events = *lost = 0;
	FOR_EACH_RECORD(h, r) {
		if (h->size < sizeof(*h) || h->size % 8 ||
		    (const char *)h + h->size > r->buf + r->len) {
			fail("bad record size %u", h->size);
			return;
		}
		if (h->type == AEM_EVENT_LOST) {
			const struct aem_lost_event *l = (const void *)h;

			CHECK(l->count > 0, "LOST record with count 0");
			CHECK(h->seq == prev + l->count, "LOST seq %llu after %llu with count %llu",
			      (unsigned long long)h->seq, (unsigned long long)prev,
			      (unsigned long long)l->count);
			*lost += l->count;
		} else {
			CHECK(h->seq == prev + 1, "seq %llu after %llu", (unsigned long long)h->seq,
			      (unsigned long long)prev);
			++*events;
		}
		prev = h->seq;
	}
	*last_seq = prev;
}

static bool proc_ok(const struct aem_process *p, pid_t pid, pid_t ppid, uid_t uid,
		    const char *comm, const char *what)
{
	bool ok = true;

	if (p->pid != pid || p->tid != pid || p->ppid != ppid || p->uid != uid ||
	    (comm && strcmp(p->comm, comm) != 0)) {
		fail("%s: pid %d tid %d ppid %d uid %u comm %.16s; expected pid %d ppid %d uid %u comm %s",
		     what, p->pid, p->tid, p->ppid, p->uid, p->comm, pid, ppid, uid,
		     comm ? comm : "*");
		ok = false;
	}
	return ok;
}

/* Forks a child that waits for a byte on a pipe, then runs @fn. */
struct gated {
	pid_t pid;
	int gate;
};

static struct gated spawn_gated(void (*fn)(void *), void *arg)
{
	struct gated g;
	int p[2];
	char c;

	if (pipe(p) != 0)
		abort();
	g.pid = fork();
	if (g.pid == 0) {
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(126);
		fn(arg);
		_exit(127);
	}
	close(p[0]);
	g.gate = p[1];
	return g;
}

static void release(struct gated *g)
{
	if (write(g->gate, "x", 1) != 1)
		abort();
	close(g->gate);
}

static int wait_code(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void run_sh_exit(void *arg)
{
	execl("/bin/sh", "sh", "-c", (const char *)arg, (char *)NULL);
}

static int cmd_lifecycle(void)
{
	int fd = subscribe(ALL_PROC, 0, (uint32_t)-1, NULL, 0);
	struct records r = { 0 };
	uint64_t fork_seq = 0, exec_seq = 0, exit_seq = 0, events, lost, last;
	pid_t me = getpid(), child;
	char comm[16] = "";
	FILE *f;

	f = fopen("/proc/self/comm", "r");
	if (f && fgets(comm, sizeof(comm), f))
		comm[strcspn(comm, "\n")] = 0;
	if (f)
		fclose(f);
	child = fork();
	if (child == 0) {
		execl("/bin/sh", "sh", "-c", "exit 3", (char *)NULL);
		_exit(127);
	}
	CHECK(wait_code(child) == 3, "child did not exit 3");
	drain(fd, &r);
	check_framing(&r, &events, &lost, &last);
	CHECK(lost == 0, "lost %llu events", (unsigned long long)lost);
	FOR_EACH_RECORD(h, &r) {
		if (h->type == AEM_EVENT_FORK) {
			const struct aem_fork_event *e = (const void *)h;

			if (e->child.pid != child)
				continue;
			fork_seq = h->seq;
			proc_ok(&e->parent, me, getppid(), getuid(), comm, "fork parent");
			proc_ok(&e->child, child, me, getuid(), comm, "fork child");
		} else if (h->type == AEM_EVENT_EXEC) {
			const struct aem_exec_event *e = (const void *)h;

			if (e->proc.pid != child)
				continue;
			exec_seq = h->seq;
			proc_ok(&e->proc, child, me, getuid(), "sh", "exec");
			CHECK(e->path_len == strlen("/bin/sh") && !strcmp(e->path, "/bin/sh"),
			      "exec path %s (len %u)", e->path, e->path_len);
			CHECK(!(h->flags & AEM_FLAG_TRUNCATED), "exec path flagged truncated");
		} else if (h->type == AEM_EVENT_EXIT) {
			const struct aem_exit_event *e = (const void *)h;

			if (e->proc.pid != child)
				continue;
			exit_seq = h->seq;
			proc_ok(&e->proc, child, me, getuid(), "sh", "exit");
			CHECK(WIFEXITED(e->exit_code) && WEXITSTATUS(e->exit_code) == 3,
			      "exit code 0x%x, expected exit(3) = 0x300", e->exit_code);
		}
	}
	CHECK(fork_seq && exec_seq && exit_seq, "missing event: fork seq %llu exec %llu exit %llu",
	      (unsigned long long)fork_seq, (unsigned long long)exec_seq,
	      (unsigned long long)exit_seq);
	CHECK(fork_seq < exec_seq && exec_seq < exit_seq, "fork, exec, exit out of order");
	printf("child %d: fork seq %llu, exec seq %llu, exit seq %llu, %llu records\n", child,
	       (unsigned long long)fork_seq, (unsigned long long)exec_seq,
	       (unsigned long long)exit_seq, (unsigned long long)events);
	return finish("lifecycle");
}

/* The tgids an event is about (fork: parent and child). */
static void subjects(const struct aem_event_header *h, int32_t *a, int32_t *b, uint32_t *uid)
{
	const struct aem_process *p = NULL;

	switch (h->type) {
	case AEM_EVENT_FORK:
		*a = ((const struct aem_fork_event *)h)->parent.pid;
		*b = ((const struct aem_fork_event *)h)->child.pid;
		*uid = ((const struct aem_fork_event *)h)->child.uid;
		return;
	case AEM_EVENT_EXEC:
		p = &((const struct aem_exec_event *)h)->proc;
		break;
	case AEM_EVENT_EXIT:
		p = &((const struct aem_exit_event *)h)->proc;
		break;
	case AEM_EVENT_VERDICT:
		p = &((const struct aem_verdict_event *)h)->proc;
		break;
	case AEM_EVENT_USER:
		p = &((const struct aem_user_event *)h)->sender;
		break;
	default:
		*a = *b = -1;
		*uid = (uint32_t)-1;
		return;
	}
	*a = *b = p->pid;
	*uid = p->uid;
}

static int cmd_pidfilter(void)
{
	struct gated a = spawn_gated(run_sh_exit, "exit 3");
	struct gated b = spawn_gated(run_sh_exit, "exit 4");
	int fd = subscribe(ALL_PROC, a.pid, (uint32_t)-1, NULL, 0);
	int all = subscribe(ALL_PROC, 0, (uint32_t)-1, NULL, 0);
	struct records r = { 0 }, rall = { 0 };
	int seen_a = 0, seen_b = 0, all_b = 0;

	release(&a);
	release(&b);
	CHECK(wait_code(a.pid) == 3 && wait_code(b.pid) == 4, "children's exit codes");
	drain(fd, &r);
	drain(all, &rall);
	FOR_EACH_RECORD(h, &r) {
		int32_t p1, p2;
		uint32_t uid;

		subjects(h, &p1, &p2, &uid);
		if (p1 == a.pid || p2 == a.pid)
			seen_a |= AEM_TYPE_BIT(h->type);
		else
			fail("pid filter %d passed type %u about %d/%d", a.pid, h->type, p1, p2);
		if (p1 == b.pid || p2 == b.pid)
			seen_b++;
	}
	FOR_EACH_RECORD(h, &rall) {
		int32_t p1, p2;
		uint32_t uid;

		subjects(h, &p1, &p2, &uid);
		if (p1 == b.pid || p2 == b.pid)
			all_b++;
	}
	CHECK(seen_a == (int)(AEM_TYPE_BIT(AEM_EVENT_EXEC) | AEM_TYPE_BIT(AEM_EVENT_EXIT)),
	      "pid filter saw types 0x%x of the child, expected exec and exit", seen_a);
	CHECK(!seen_b, "pid filter saw the sibling");
	CHECK(all_b >= 2, "the unfiltered subscriber missed the sibling");
	return finish("pidfilter");
}

static void become_1000(void *arg)
{
	if (setgid(1000) != 0 || setuid(1000) != 0)
		_exit(125);
	run_sh_exit(arg);
}

static int cmd_uidfilter(void)
{
	struct gated u = spawn_gated(become_1000, "exit 5");
	struct gated root = spawn_gated(run_sh_exit, "exit 6");
	int fd = subscribe(ALL_PROC, 0, 1000, NULL, 0);
	struct records r = { 0 };
	int seen_u = 0;

	release(&u);
	release(&root);
	CHECK(wait_code(u.pid) == 5 && wait_code(root.pid) == 6, "children's exit codes");
	drain(fd, &r);
	FOR_EACH_RECORD(h, &r) {
		int32_t p1, p2;
		uint32_t uid;

		subjects(h, &p1, &p2, &uid);
		CHECK(uid == 1000, "uid filter passed an event of uid %u", uid);
		CHECK(p1 != root.pid, "uid filter passed an event of the root child");
		if (p1 == u.pid)
			seen_u |= AEM_TYPE_BIT(h->type);
	}
	CHECK(seen_u == (int)(AEM_TYPE_BIT(AEM_EVENT_EXEC) | AEM_TYPE_BIT(AEM_EVENT_EXIT)),
	      "uid filter saw types 0x%x of the uid-1000 child", seen_u);
	return finish("uidfilter");
}

/* Exactly the user events @want (channel:payload, in order) and nothing else. */
static void expect_user(int fd, const char *name, const char *channel, const char *data,
			uint32_t len, int count)
{
	struct records r = { 0 };
	int got = 0;

	drain(fd, &r);
	FOR_EACH_RECORD(h, &r) {
		const struct aem_user_event *e = (const void *)h;

		if (h->type != AEM_EVENT_USER) {
			fail("%s: record of type %u", name, h->type);
			continue;
		}
		got++;
		CHECK(!strcmp(e->channel, channel), "%s: channel %s", name, e->channel);
		CHECK(e->len == len && !memcmp(e->data, data, len), "%s: payload differs", name);
		CHECK(h->size == sizeof(*e) + ((len + 7) & ~7u), "%s: size %u", name, h->size);
		proc_ok(&e->sender, getpid(), getppid(), getuid(), NULL, name);
	}
	CHECK(got == count, "%s: %d user events, expected %d", name, got, count);
	free(r.buf);
}

static int cmd_channels(void)
{
	int a = subscribe(AEM_TYPE_BIT(AEM_EVENT_USER), 0, (uint32_t)-1, "alpha", 0);
	int b = subscribe(AEM_TYPE_BIT(AEM_EVENT_USER), 0, (uint32_t)-1, "alpha", 0);
	int c = subscribe(AEM_TYPE_BIT(AEM_EVENT_USER), 0, (uint32_t)-1, "beta", 0);
	int d = subscribe(AEM_TYPE_BIT(AEM_EVENT_VERDICT), 0, (uint32_t)-1, "alpha", 0);
	static char big[AEM_USER_DATA_MAX + 1];
	int n;

	n = post(c, "alpha", "hello alpha", 11);
	CHECK(n == 2, "post to alpha reached %d subscribers, expected 2", n);
	expect_user(a, "alpha subscriber 1", "alpha", "hello alpha", 11, 1);
	expect_user(b, "alpha subscriber 2", "alpha", "hello alpha", 11, 1);
	expect_user(c, "beta subscriber", "beta", "", 0, 0);
	expect_user(d, "alpha without the user type", "", "", 0, 0);
	n = post(a, "beta", "hi beta", 7);
	CHECK(n == 1, "post to beta reached %d subscribers, expected 1", n);
	expect_user(c, "beta subscriber", "beta", "hi beta", 7, 1);
	expect_user(a, "alpha subscriber 1 after beta", "alpha", "", 0, 0);
	memset(big, 'x', sizeof(big));
	n = post(a, "alpha", big, AEM_USER_DATA_MAX);
	CHECK(n == 2, "largest payload reached %d subscribers", n);
	expect_user(b, "largest payload", "alpha", big, AEM_USER_DATA_MAX, 1);
	n = post(a, "alpha", big, AEM_USER_DATA_MAX + 1);
	CHECK(n < 0 && errno == EMSGSIZE, "oversized payload: %d (%s)", n, strerror(errno));
	n = post(a, "", "x", 1);
	CHECK(n < 0 && errno == EINVAL, "empty channel: %d (%s)", n, strerror(errno));
	n = post(a, "nobody", "x", 1);
	CHECK(n == 0, "channel without subscribers: %d", n);
	n = post(a, "alpha", (void *)8, 4);
	CHECK(n < 0 && errno == EFAULT, "bad payload pointer: %d (%s)", n, strerror(errno));
	return finish("channels");
}

static void flood_children(int n)
{
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
}

/*
 * Floods a 4 KiB ring, then checks what a late reader gets; @expect_events
 * events exactly (or, when @at_least, that many of ours among others).
 */
static void flood_one(const char *name, int fd, int expect_events, bool at_least,
		      void (*produce)(int fd))
{
	struct records r = { 0 };
	struct aem_stats st;
	uint64_t events, lost, last;
	char small[8];

	produce(fd);
	CHECK(ioctl(fd, AEM_IOC_GET_STATS, &st) == 0, "GET_STATS: %s", strerror(errno));
	CHECK(st.ring_bytes == 4096 && st.queued_bytes > 0 && st.queued_bytes <= 4096,
	      "%s: stats ring %llu queued %llu", name, (unsigned long long)st.ring_bytes,
	      (unsigned long long)st.queued_bytes);
	CHECK(read(fd, small, sizeof(small)) < 0 && errno == EINVAL,
	      "%s: a read smaller than a record did not get EINVAL", name);
	drain(fd, &r);
	check_framing(&r, &events, &lost, &last);
	CHECK(lost > 0, "%s: no LOST record after the flood", name);
	CHECK(events + lost == last, "%s: delivered %llu + lost %llu != last seq %llu", name,
	      (unsigned long long)events, (unsigned long long)lost, (unsigned long long)last);
	CHECK(at_least ? last >= (uint64_t)expect_events : last == (uint64_t)expect_events,
	      "%s: last seq %llu, expected %s%d", name, (unsigned long long)last,
	      at_least ? "at least " : "", expect_events);
	CHECK(ioctl(fd, AEM_IOC_GET_STATS, &st) == 0, "GET_STATS: %s", strerror(errno));
	CHECK(st.lost == lost && st.delivered == events && st.queued_bytes == 0,
	      "%s: stats lost %llu delivered %llu queued %llu vs read lost %llu events %llu",
	      name, (unsigned long long)st.lost, (unsigned long long)st.delivered,
	      (unsigned long long)st.queued_bytes, (unsigned long long)lost,
	      (unsigned long long)events);
	printf("%s: %llu delivered, %llu lost, last seq %llu\n", name, (unsigned long long)events,
	       (unsigned long long)lost, (unsigned long long)last);
	free(r.buf);
}

static void post_flood(int fd)
{
	char payload[100];

	memset(payload, 'f', sizeof(payload));
	for (int i = 0; i < 1000; i++) {
		int n = post(fd, "flood", payload, sizeof(payload));

		if (n != 1) {
			fail("post %d reached %d subscribers (%s)", i, n, strerror(errno));
			break;
		}
	}
}

static void fork_flood(int fd)
{
	(void)fd;
	flood_children(300);
}

static int cmd_flood(void)
{
	int fd = subscribe(AEM_TYPE_BIT(AEM_EVENT_USER), 0, (uint32_t)-1, "flood", 4096);
	int procs = subscribe(AEM_TYPE_BIT(AEM_EVENT_FORK) | AEM_TYPE_BIT(AEM_EVENT_EXIT),
			      0, (uint32_t)-1, NULL, 4096);
	struct records r = { 0 };
	uint64_t events;
	char payload[100];

	flood_one("user flood", fd, 1000, false, post_flood);
	/* After the flood: the next events follow on, no loss. */
	memset(payload, 'g', sizeof(payload));
	for (int i = 0; i < 5; i++)
		post(fd, "flood", payload, sizeof(payload));
	drain(fd, &r);
	events = 0;
	FOR_EACH_RECORD(h, &r) {
		CHECK(h->type == AEM_EVENT_USER && h->seq == 1001 + events,
		      "after the flood: type %u seq %llu", h->type, (unsigned long long)h->seq);
		events++;
	}
	CHECK(events == 5, "after the flood: %llu events", (unsigned long long)events);
	/* 300 forks and 300 exits of our children, and whatever else happens. */
	flood_one("fork/exit flood", procs, 600, true, fork_flood);
	/* A flood nobody ever reads, closed full: freed, no trace. */
	close(fd);
	close(procs);
	fd = subscribe(AEM_TYPE_BIT(AEM_EVENT_USER), 0, (uint32_t)-1, "flood", 4096);
	post_flood(fd);
	close(fd);
	return finish("flood");
}

/* A worker: forks children and posts events as fast as it can. */
static void order_worker(int n)
{
	int fd = open(DEV, O_RDONLY | O_CLOEXEC);

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		post(fd, "order", &i, sizeof(i));
	}
	_exit(0);
}

static int cmd_order(int workers, int n)
{
	int fd = subscribe(ALL_PROC | AEM_TYPE_BIT(AEM_EVENT_USER), 0, (uint32_t)-1, "order",
			   4u << 20);
	struct records r = { 0 };
	uint64_t last_time[256] = { 0 }, events, lost, last;
	int cpus = 0, per_cpu[256] = { 0 };

	for (int w = 0; w < workers; w++)
		if (fork() == 0)
			order_worker(n);
	for (int w = 0; w < workers; w++)
		wait(NULL);
	drain(fd, &r);
	check_framing(&r, &events, &lost, &last);
	CHECK(lost == 0, "lost %llu events in a 4 MiB ring", (unsigned long long)lost);
	FOR_EACH_RECORD(h, &r) {
		if (h->cpu >= 256) {
			fail("cpu %u", h->cpu);
			continue;
		}
		CHECK(h->time_ns >= last_time[h->cpu], "cpu %u: time went back %llu -> %llu",
		      h->cpu, (unsigned long long)last_time[h->cpu],
		      (unsigned long long)h->time_ns);
		last_time[h->cpu] = h->time_ns;
		if (!per_cpu[h->cpu]++)
			cpus++;
	}
	CHECK(events >= (uint64_t)workers * n * 3, "%llu events, expected at least %d",
	      (unsigned long long)events, workers * n * 3);
	/* Four workers on a multi-CPU board: events from more than one CPU. */
	CHECK(sysconf(_SC_NPROCESSORS_ONLN) < 2 || cpus >= 2, "events from %d CPU(s) only", cpus);
	printf("%llu events in seq order on %d cpu(s)\n", (unsigned long long)events, cpus);
	return finish("order");
}

/* Posts @n events of varying size, all bytes of one the same; forks now and then. */
static void stress_worker(int w, int n)
{
	static char payload[AEM_USER_DATA_MAX];
	int fd = open(DEV, O_RDONLY | O_CLOEXEC);

	for (int i = 0; i < n; i++) {
		uint32_t len = (uint32_t)(i * 37 + w) % (AEM_USER_DATA_MAX + 1);

		memset(payload, (w * 31 + i) & 0xff, len);
		if (post(fd, "stress", payload, len) < 0)
			_exit(1);
		if (i % 16 == 0)
			flood_children(1);
	}
	_exit(0);
}

/* Opens, filters, resizes, posts and closes subscribers until killed. */
static void churn(void)
{
	for (unsigned int i = 0;; i++) {
		int fd = open(DEV, O_RDONLY | O_NONBLOCK);
		struct aem_filter f = { .types = i & 0x3e, .uid = (uint32_t)-1 };
		uint32_t size = 4096u << (i % 4);
		char buf[2048];

		if (fd < 0)
			continue;
		strcpy(f.channel, i & 1 ? "stress" : "churn");
		ioctl(fd, AEM_IOC_SET_RING, &size);
		ioctl(fd, AEM_IOC_SET_FILTER, &f);
		post(fd, "churn", buf, (i * 13) % sizeof(buf) % (AEM_USER_DATA_MAX + 1));
		if (i & 2)
			while (read(fd, buf, sizeof(buf)) > 0)
				;
		close(fd);
	}
}

static int cmd_stress(int workers, int n)
{
	int fd = subscribe(AEM_TYPE_BIT(AEM_EVENT_USER) | AEM_TYPE_BIT(AEM_EVENT_FORK) |
			   AEM_TYPE_BIT(AEM_EVENT_EXIT), 0, (uint32_t)-1, "stress", 4096);
	uint64_t events = 0, lost = 0, prev = 0, users = 0, reads = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int running = workers, status;
	pid_t churner, pids[64];
	struct aem_stats st;
	char buf[2048];

	if (workers < 1 || workers > 64)
		return 2;
	churner = fork();
	if (churner == 0)
		churn();
	for (int w = 0; w < workers; w++) {
		pids[w] = fork();
		if (pids[w] == 0)
			stress_worker(w, n);
	}
	for (;;) {
		ssize_t got;

		while (running && waitpid(-1, &status, WNOHANG) > 0)
			if (--running == 0)
				kill(churner, SIGKILL);
		if (!running && waitpid(churner, NULL, WNOHANG) == churner)
			churner = 0;
		got = read(fd, buf, sizeof(buf));
		if (got < 0 && errno == EAGAIN) {
			if (!running && !churner)
				break;
			poll(&p, 1, 10);
			continue;
		}
		if (got <= 0 || (size_t)got > sizeof(buf)) {
			fail("read: %zd (%s)", got, strerror(errno));
			break;
		}
		/* A slow reader now and then, so the ring overflows while read. */
		if (++reads % 64 < 8)
			usleep(2000);
		for (const char *at = buf; at < buf + got;) {
			const struct aem_event_header *h = (const void *)at;

			if (h->size < sizeof(*h) || h->size % 8 || at + h->size > buf + got) {
				fail("bad record size %u at offset %td of %zd, after seq %llu; read %llu",
				     h->size, at - buf, got, (unsigned long long)prev,
				     (unsigned long long)reads);
				for (const char *x = buf; x < buf + got && x < at + 64; x += 16) {
					printf("%4td:", x - buf);
					for (int k = 0; k < 16; k++)
						printf(" %02x", (unsigned char)x[k]);
					printf("\n");
				}
				failures += 100;
				break;
			}
			if (h->type == AEM_EVENT_LOST) {
				uint64_t count = ((const struct aem_lost_event *)h)->count;

				CHECK(h->seq == prev + count, "LOST seq %llu after %llu count %llu",
				      (unsigned long long)h->seq, (unsigned long long)prev,
				      (unsigned long long)count);
				lost += count;
			} else {
				CHECK(h->seq == prev + 1, "seq %llu after %llu",
				      (unsigned long long)h->seq, (unsigned long long)prev);
				events++;
			}
			if (h->type == AEM_EVENT_USER) {
				const struct aem_user_event *e = (const void *)h;

				users++;
				CHECK(e->len <= AEM_USER_DATA_MAX && !strcmp(e->channel, "stress") &&
				      h->size == sizeof(*e) + ((e->len + 7) & ~7u),
				      "user record: len %u size %u channel %.32s", e->len, h->size,
				      e->channel);
				for (uint32_t k = 1; k < e->len && k < AEM_USER_DATA_MAX; k++)
					if (e->data[k] != e->data[0]) {
						fail("payload torn at byte %u of %u", k, e->len);
						break;
					}
			}
			prev = h->seq;
			at += h->size;
		}
		if (failures > 20) {
			/* Whatever still runs goes, so it holds no file open. */
			for (int w = 0; w < workers; w++)
				kill(pids[w], SIGKILL);
			if (churner)
				kill(churner, SIGKILL);
			while (wait(NULL) > 0)
				;
			return finish("stress");
		}
	}
	CHECK(ioctl(fd, AEM_IOC_GET_STATS, &st) == 0, "GET_STATS");
	CHECK(st.lost == lost && st.delivered == events && st.queued_bytes == 0,
	      "stats lost %llu delivered %llu queued %llu; read lost %llu events %llu",
	      (unsigned long long)st.lost, (unsigned long long)st.delivered,
	      (unsigned long long)st.queued_bytes, (unsigned long long)lost,
	      (unsigned long long)events);
	CHECK(prev >= (uint64_t)workers * n, "last seq %llu, fewer than the %d posted",
	      (unsigned long long)prev, workers * n);
	printf("%llu events read (%llu user), %llu lost, last seq %llu, %llu reads\n",
	       (unsigned long long)events, (unsigned long long)users, (unsigned long long)lost,
	       (unsigned long long)prev, (unsigned long long)reads);
	return finish("stress");
}

/* A child that posts to @channel after @ms milliseconds. */
static pid_t post_later(const char *channel, int ms)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(DEV, O_RDONLY);

		usleep(ms * 1000);
		_exit(post(fd, channel, "wake", 4) == 1 ? 0 : 1);
	}
	return pid;
}

static int cmd_poll(void)
{
	int fd = subscribe(AEM_TYPE_BIT(AEM_EVENT_USER), 0, (uint32_t)-1, "poll", 0);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct epoll_event ev = { .events = EPOLLIN };
	struct records r = { 0 };
	char buf[4096];
	uint64_t t0;
	pid_t pid;
	int n, ep;

	n = poll(&p, 1, 0);
	CHECK(n == 0, "poll on an empty ring: %d", n);
	CHECK(read(fd, buf, sizeof(buf)) < 0 && errno == EAGAIN, "O_NONBLOCK read did not EAGAIN");
	/* poll() sleeps until an event arrives. */
	t0 = now_ns();
	pid = post_later("poll", 300);
	n = poll(&p, 1, 10000);
	CHECK(n == 1 && (p.revents & POLLIN), "poll: %d revents 0x%x", n, p.revents);
	CHECK(now_ns() - t0 >= 250000000u, "poll returned before the event");
	CHECK(wait_code(pid) == 0, "poster failed");
	drain(fd, &r);
	CHECK(r.len == sizeof(struct aem_user_event) + 8, "poll: read %zu bytes", r.len);
	/* epoll. */
	ep = epoll_create1(EPOLL_CLOEXEC);
	ev.data.fd = fd;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0, "epoll_ctl: %s", strerror(errno));
	pid = post_later("poll", 200);
	n = epoll_wait(ep, &ev, 1, 10000);
	CHECK(n == 1 && (ev.events & EPOLLIN), "epoll_wait: %d events 0x%x", n, ev.events);
	CHECK(wait_code(pid) == 0, "poster failed");
	r.len = 0;
	drain(fd, &r);
	CHECK(r.len == sizeof(struct aem_user_event) + 8, "epoll: read %zu bytes", r.len);
	/* A blocking read sleeps until an event arrives. */
	fcntl(fd, F_SETFL, 0);
	t0 = now_ns();
	pid = post_later("poll", 300);
	n = read(fd, buf, sizeof(buf));
	CHECK(n == (int)(sizeof(struct aem_user_event) + 8), "blocking read: %d (%s)", n,
	      strerror(errno));
	CHECK(now_ns() - t0 >= 250000000u, "blocking read returned before the event");
	CHECK(wait_code(pid) == 0, "poster failed");
	return finish("poll");
}

static int cmd_limits(int max)
{
	int fds[4096], n = 0, fd, ret;
	struct aem_filter f;
	uint32_t size;

	if (max <= 0 || max > 4096)
		return 2;
	while (n < max) {
		fds[n] = open(DEV, O_RDONLY | O_NONBLOCK);
		if (fds[n] < 0) {
			fail("open %d of %d: %s", n + 1, max, strerror(errno));
			break;
		}
		n++;
	}
	fd = open(DEV, O_RDONLY);
	CHECK(fd < 0 && errno == ENFILE, "open beyond max_subscribers: %d (%s)", fd,
	      strerror(errno));
	close(fds[--n]);
	fd = open(DEV, O_RDONLY | O_NONBLOCK);
	CHECK(fd >= 0, "open after a close: %s", strerror(errno));
	if (fd >= 0)
		fds[n++] = fd;
	fd = fds[0];
	for (uint32_t bad = 0; bad < 5; bad++) {
		const uint32_t sizes[] = { 0, 2048, 5000, 8u << 20, 4097 };

		size = sizes[bad];
		ret = ioctl(fd, AEM_IOC_SET_RING, &size);
		CHECK(ret < 0 && errno == EINVAL, "SET_RING %u: %d (%s)", size, ret, strerror(errno));
	}
	size = 4u << 20;
	CHECK(ioctl(fd, AEM_IOC_SET_RING, &size) == 0, "SET_RING 4 MiB: %s", strerror(errno));
	size = 4096;
	CHECK(ioctl(fd, AEM_IOC_SET_RING, &size) == 0, "SET_RING 4 KiB: %s", strerror(errno));
	memset(&f, 0, sizeof(f));
	f.types = AEM_TYPE_BIT(AEM_EVENT_USER);
	f.uid = (uint32_t)-1;
	strcpy(f.channel, "limits");
	CHECK(ioctl(fd, AEM_IOC_SET_FILTER, &f) == 0, "SET_FILTER: %s", strerror(errno));
	post(fd, "limits", "x", 1);
	ret = ioctl(fd, AEM_IOC_SET_RING, &size);
	CHECK(ret < 0 && errno == EBUSY, "SET_RING with records queued: %d (%s)", ret,
	      strerror(errno));
	f.reserved = 1;
	ret = ioctl(fd, AEM_IOC_SET_FILTER, &f);
	CHECK(ret < 0 && errno == EINVAL, "filter with reserved set: %d", ret);
	f.reserved = 0;
	f.types = AEM_TYPE_BIT(AEM_EVENT_TYPES);
	ret = ioctl(fd, AEM_IOC_SET_FILTER, &f);
	CHECK(ret < 0 && errno == EINVAL, "filter with an unknown type: %d", ret);
	f.types = AEM_TYPE_BIT(AEM_EVENT_USER);
	memset(f.channel, 'c', sizeof(f.channel));
	ret = ioctl(fd, AEM_IOC_SET_FILTER, &f);
	CHECK(ret < 0 && errno == EINVAL, "filter with an unterminated channel: %d", ret);
	ret = ioctl(fd, _IO(AEM_IOC_MAGIC, 99));
	CHECK(ret < 0 && errno == ENOTTY, "unknown ioctl: %d (%s)", ret, strerror(errno));
	CHECK(write(fd, "x", 1) < 0, "write succeeded");
	CHECK(lseek(fd, 0, SEEK_SET) < 0 && errno == ESPIPE, "lseek did not ESPIPE");
	while (n > 0)
		close(fds[--n]);
	return finish("limits");
}

static int cmd_hold(int n)
{
	for (int i = 0; i < n; i++) {
		uint32_t size = 4u << 20;
		int fd = open(DEV, O_RDONLY);

		if (fd < 0 || ioctl(fd, AEM_IOC_SET_RING, &size) != 0) {
			printf("hold: %s\n", strerror(errno));
			return 1;
		}
	}
	printf("holding %d\n", n);
	fflush(stdout);
	for (;;)
		pause();
}

static int cmd_verdict(const char *path, int refused)
{
	int fd = subscribe(AEM_TYPE_BIT(AEM_EVENT_VERDICT), 0, (uint32_t)-1, NULL, 0);
	struct records r = { 0 };
	int found = 0, code;
	pid_t child;

	child = fork();
	if (child == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		execl(path, path, (char *)NULL);
		_exit(errno == EACCES ? 100 : 101);
	}
	code = wait_code(child);
	CHECK(refused ? code == 100 : code != 100 && code != 101,
	      "exec of %s: exit %d", path, code);
	drain(fd, &r);
	FOR_EACH_RECORD(h, &r) {
		const struct aem_verdict_event *e = (const void *)h;

		if (h->type != AEM_EVENT_VERDICT) {
			fail("record of type %u", h->type);
			continue;
		}
		printf("verdict: %s reason %u refused %u interp %u pid %d comm %.16s\n", e->path,
		       e->reason, e->refused, e->interp, e->proc.pid, e->proc.comm);
		if (e->proc.pid != child)
			continue;
		found++;
		CHECK(!strcmp(e->path, path) && e->path_len == strlen(path), "path %s", e->path);
		CHECK(e->reason == AEM_VERDICT_UNSIGNED, "reason %u, expected unsigned (%u)",
		      e->reason, AEM_VERDICT_UNSIGNED);
		CHECK(e->refused == (refused ? 1 : 0) && e->interp == 0, "refused %u interp %u",
		      e->refused, e->interp);
		proc_ok(&e->proc, child, getpid(), getuid(), NULL, "verdict");
	}
	CHECK(found == 1, "%d verdicts about the child", found);
	return finish("verdict");
}

static int cmd_post(const char *channel, const char *text)
{
	int fd = subscribe(0, 0, (uint32_t)-1, NULL, 0);
	int n = post(fd, channel, text, strlen(text));

	if (n < 0) {
		printf("post to %s: %s\n", channel, strerror(errno));
		return 1;
	}
	printf("post to %s reached %d subscribers\n", channel, n);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "lifecycle"))
		return cmd_lifecycle();
	if (!strcmp(cmd, "pidfilter"))
		return cmd_pidfilter();
	if (!strcmp(cmd, "uidfilter"))
		return cmd_uidfilter();
	if (!strcmp(cmd, "channels"))
		return cmd_channels();
	if (!strcmp(cmd, "flood"))
		return cmd_flood();
	if (!strcmp(cmd, "order") && argc == 4)
		return cmd_order(atoi(argv[2]), atoi(argv[3]));
	if (!strcmp(cmd, "stress") && argc == 4)
		return cmd_stress(atoi(argv[2]), atoi(argv[3]));
	if (!strcmp(cmd, "poll"))
		return cmd_poll();
	if (!strcmp(cmd, "limits") && argc == 3)
		return cmd_limits(atoi(argv[2]));
	if (!strcmp(cmd, "hold") && argc == 3)
		return cmd_hold(atoi(argv[2]));
	if (!strcmp(cmd, "verdict") && argc == 4)
		return cmd_verdict(argv[2], atoi(argv[3]));
	if (!strcmp(cmd, "post") && argc == 4)
		return cmd_post(argv[2], argv[3]);
	fprintf(stderr, "usage: see the comment at the top of tests/board/aem_tool.c\n");
	return 2;
}
