// SPDX-License-Identifier: GPL-2.0
/*
 * aem_exit_bench: process exit events delivered by aem.ko against the proc
 * connector (netlink, PROC_EVENT_EXIT), for tools/bench/aem_bench.sh on the
 * QEMU board. Static, so the board needs no C library.
 *
 *   aem_exit_bench gen N P            P processes vfork and reap N children in
 *                                     all (each child _exit(42)s at once);
 *                                     prints "GEN start_ns end_ns N"
 *   aem_exit_bench aem RING SLOW_US   an aem.ko subscriber to EXIT records with
 *                                     a RING-byte ring
 *   aem_exit_bench cn RCVBUF SLOW_US  a proc connector listener (RCVBUF bytes of
 *                                     socket buffer, 0: the default), reading
 *                                     with recvmmsg, 64 messages a call
 *
 * Both listeners read the same way an event loop does: non-blocking reads
 * (64 KiB a read() for aem.ko, which returns every whole record that fits)
 * until EAGAIN, then poll().
 *
 * Listeners print "READY" once subscribed; on SIGUSR1 they read what is
 * still queued and print "RESULT received lost overruns first_ns last_ns cpu_us":
 * exits of the generator's children received (told from other processes'
 * by their status, exit(42); threads' exits not counted), exits reported lost
 * (aem.ko's LOST records; 0 for the proc connector, which cannot say how
 * many), how often the proc connector's socket overflowed (ENOBUFS), and
 * the listener's CPU time (user + system). SLOW_US > 0 makes a slow reader:
 * it sleeps SLOW_US per event it read, as if it handled each.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aem_uapi.h"

/* The generator's children exit with this, to be told from other processes. */
#define GEN_STATUS 42

static volatile sig_atomic_t stop;

static void on_usr1(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "aem_exit_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t received, lost, overruns, first_ns, last_ns;

static void count(uint64_t n)
{
	uint64_t t = now_ns();

	if (!received && n)
		first_ns = t;
	if (n)
		last_ns = t;
	received += n;
}

static void report(void)
{
	struct rusage ru;
	uint64_t cpu_us;

	getrusage(RUSAGE_SELF, &ru);
	cpu_us = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
		 (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	printf("RESULT %llu %llu %llu %llu %llu %llu\n", (unsigned long long)received,
	       (unsigned long long)lost, (unsigned long long)overruns,
	       (unsigned long long)first_ns, (unsigned long long)last_ns,
	       (unsigned long long)cpu_us);
}

/* A slow reader: @slow_us of "work" per event read. */
static void work(int slow_us, uint64_t events)
{
	if (slow_us && events && !stop)
		usleep((useconds_t)(slow_us * events));
}

static int cmd_gen(long n, int p)
{
	uint64_t start = now_ns();

	prctl(PR_SET_NAME, "exitgen");
	for (int w = 0; w < p; w++) {
		if (fork() == 0) {
			long mine = n / p + (w < n % p);

			for (long i = 0; i < mine; i++) {
				/* vfork: a whole process exit without copying page tables. */
				pid_t pid = vfork();

				if (pid == 0)
					_exit(GEN_STATUS);
				if (pid < 0 || waitpid(pid, NULL, 0) != pid)
					_exit(1);
			}
			_exit(0);
		}
	}
	for (int w = 0; w < p; w++)
		wait(NULL);
	printf("GEN %llu %llu %ld\n", (unsigned long long)start, (unsigned long long)now_ns(), n);
	return 0;
}

static int cmd_aem(uint32_t ring, int slow_us)
{
	struct aem_filter f = { .types = AEM_TYPE_BIT(AEM_EVENT_EXIT), .uid = (uint32_t)-1 };
	static char buf[1 << 16];
	int fd = open("/dev/aem", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (fd < 0 || ioctl(fd, AEM_IOC_SET_RING, &ring) != 0 ||
	    ioctl(fd, AEM_IOC_SET_FILTER, &f) != 0)
		die("/dev/aem");
	printf("READY\n");
	fflush(stdout);
	for (;;) {
		ssize_t got = read(fd, buf, sizeof(buf));
		uint64_t n = 0;

		if (got < 0 && errno == EAGAIN) {
			if (stop)
				break;
			poll(&p, 1, 100);
			continue;
		}
		if (got <= 0)
			die("read");
		for (char *at = buf; at < buf + got;) {
			struct aem_event_header *h = (void *)at;

			if (h->type == AEM_EVENT_EXIT &&
			    ((struct aem_exit_event *)h)->exit_code == GEN_STATUS << 8)
				n++;
			else if (h->type == AEM_EVENT_LOST)
				lost += ((struct aem_lost_event *)h)->count;
			at += h->size;
		}
		count(n);
		work(slow_us, n);
	}
	report();
	return 0;
}

static int cmd_cn(int rcvbuf, int slow_us)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC };
	enum { BATCH = 64, MSG = 256 };
	static char bufs[BATCH][MSG];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct {
		struct nlmsghdr nl;
		struct cn_msg cn;
		enum proc_cn_mcast_op op;
	} __attribute__((packed)) req;
	int s = socket(PF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	struct pollfd p = { .fd = s, .events = POLLIN };

	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		die("netlink connector");
	if (rcvbuf > 0 && setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) != 0)
		die("SO_RCVBUFFORCE");
	memset(&req, 0, sizeof(req));
	req.nl.nlmsg_len = sizeof(req);
	req.nl.nlmsg_type = NLMSG_DONE;
	req.nl.nlmsg_pid = getpid();
	req.cn.id.idx = CN_IDX_PROC;
	req.cn.id.val = CN_VAL_PROC;
	req.cn.len = sizeof(req.op);
	req.op = PROC_CN_MCAST_LISTEN;
	if (send(s, &req, sizeof(req), 0) != (ssize_t)sizeof(req))
		die("PROC_CN_MCAST_LISTEN");
	printf("READY\n");
	fflush(stdout);
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = MSG;
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	for (;;) {
		int got = recvmmsg(s, msgs, BATCH, MSG_DONTWAIT, NULL);
		uint64_t n = 0;

		if (got < 0 && errno == ENOBUFS) {
			overruns++;
			continue;
		}
		if (got < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (stop)
				break;
			poll(&p, 1, 100);
			continue;
		}
		if (got < 0)
			die("recvmmsg");
		for (int i = 0; i < got; i++) {
			struct nlmsghdr *nl = (void *)bufs[i];
			struct cn_msg *cn = NLMSG_DATA(nl);
			struct proc_event *ev = (void *)cn->data;

			if (ev->what == PROC_EVENT_EXIT &&
			    ev->event_data.exit.process_pid == ev->event_data.exit.process_tgid &&
			    ev->event_data.exit.exit_code == GEN_STATUS << 8)
				n++;
		}
		count(n);
		work(slow_us, n);
	}
	report();
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_usr1 };

	sigaction(SIGUSR1, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "gen"))
		return cmd_gen(atol(argv[2]), atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "aem"))
		return cmd_aem((uint32_t)atol(argv[2]), atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "cn"))
		return cmd_cn(atoi(argv[2]), atoi(argv[3]));
	fprintf(stderr, "usage: see the comment at the top of tools/bench/aem_exit_bench.c\n");
	return 2;
}
