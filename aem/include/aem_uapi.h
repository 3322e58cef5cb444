/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The user/kernel ABI of aem.ko, the asynchronous event mechanism: what a
 * subscriber reads from its /dev/aem file descriptor and the ioctls it
 * configures it with. Shared verbatim by the kernel module (aem/kernel/) and
 * the libaem runtime (aem/runtime/); docs/aem.md describes it in prose.
 *
 * Model: every open() of /dev/aem is one subscriber with its own filter and
 * its own bounded ring of event records. read() returns whole records only
 * (a buffer smaller than the next record gets -EINVAL); poll/epoll/io_uring
 * report POLLIN while records are queued. Nothing is lost silently: when the
 * ring is full, the events that do not fit are counted, and the count is
 * delivered in-band as one AEM_EVENT_LOST record before the next event that
 * fits, so seq numbers plus lost counts always add up.
 *
 * All fields are in host byte order; every record starts 8-byte aligned and
 * its size is a multiple of 8.
 */
#ifndef AEM_UAPI_H
#define AEM_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define AEM_DEVICE_NAME "aem"		/* /dev/aem */
#define AEM_COMM_LEN 16			/* TASK_COMM_LEN */
#define AEM_PATH_MAX 256		/* longer paths are cut, flag AEM_FLAG_TRUNCATED */
#define AEM_CHANNEL_LEN 32		/* NUL-terminated channel names */
#define AEM_USER_DATA_MAX 1024		/* payload of a user event */

enum aem_event_type {
	AEM_EVENT_LOST = 0,	/* in-band loss report (always delivered) */
	AEM_EVENT_FORK = 1,	/* a process or thread was created */
	AEM_EVENT_EXEC = 2,	/* a process exec'd a new program */
	AEM_EVENT_EXIT = 3,	/* a process (thread group leader) exited */
	AEM_EVENT_VERDICT = 4,	/* digsig.ko refused (or would refuse) an exec */
	AEM_EVENT_USER = 5,	/* posted by a process to a named channel */
	AEM_EVENT_TYPES
};

#define AEM_TYPE_BIT(type) (1u << (type))

/* record flags */
#define AEM_FLAG_TRUNCATED 0x1	/* a path or payload was cut to fit */

/* Common header of every record. */
struct aem_event_header {
	__u16 size;		/* whole record, header included; multiple of 8 */
	__u16 type;		/* enum aem_event_type */
	__u16 flags;		/* AEM_FLAG_* */
	__u16 cpu;		/* CPU the event happened on */
	__u64 seq;		/* per subscriber: 1, 2, ... over delivered and lost events */
	__u64 time_ns;		/* CLOCK_MONOTONIC (ktime_get_ns) */
};

/* The process an event is about. */
struct aem_process {
	__s32 pid;		/* thread group id (what userspace calls the pid) */
	__s32 tid;		/* thread id */
	__s32 ppid;		/* parent's tgid */
	__u32 uid;		/* real uid, in the initial user namespace */
	char comm[AEM_COMM_LEN];
};

struct aem_lost_event {
	struct aem_event_header h;
	__u64 count;		/* events dropped since the previous record */
};

struct aem_fork_event {
	struct aem_event_header h;
	struct aem_process parent;
	struct aem_process child;
};

struct aem_exec_event {
	struct aem_event_header h;
	struct aem_process proc;
	__u16 path_len;		/* bytes of path, without the NUL */
	__u16 reserved[3];
	char path[];		/* NUL-terminated, padded to a multiple of 8 */
};

struct aem_exit_event {
	struct aem_event_header h;
	struct aem_process proc;
	__s32 exit_code;	/* as wait(2) encodes it */
	__u32 reserved;
};

/* digsig.ko's reasons (docs/runtime.md); the text is in the kernel log. */
enum aem_verdict_reason {
	AEM_VERDICT_UNSIGNED = 1,
	AEM_VERDICT_MALFORMED,
	AEM_VERDICT_ALTERED,
	AEM_VERDICT_UNKNOWN_SIGNER,
	AEM_VERDICT_UNSUPPORTED,
	AEM_VERDICT_REVOKED,
	AEM_VERDICT_NOT_ELF,
	AEM_VERDICT_IO,
	AEM_VERDICT_UNTRUSTED_MOUNT,
	AEM_VERDICT_UNSEALED,
};

struct aem_verdict_event {
	struct aem_event_header h;
	struct aem_process proc;
	__u16 reason;		/* enum aem_verdict_reason */
	__u16 refused;		/* 1 refused (enforce), 0 allowed (permissive) */
	__u16 path_len;
	__u16 interp;		/* 1 when the refused file is the ELF interpreter */
	char path[];		/* NUL-terminated, padded to a multiple of 8 */
};

struct aem_user_event {
	struct aem_event_header h;
	struct aem_process sender;
	char channel[AEM_CHANNEL_LEN];
	__u32 len;		/* bytes of data */
	__u32 reserved;
	__u8 data[];		/* padded to a multiple of 8 */
};

/* AEM_IOC_SET_FILTER: what this subscriber receives (default: nothing). */
struct aem_filter {
	__u32 types;		/* AEM_TYPE_BIT() mask; AEM_EVENT_LOST is always on */
	__s32 pid;		/* only events about this tgid; 0: any */
	__u32 uid;		/* only events about this uid; (__u32)-1: any */
	__u32 reserved;
	char channel[AEM_CHANNEL_LEN];	/* user events of this channel; "": none */
};

/* AEM_IOC_POST: deliver a user event to every subscriber of the channel. */
struct aem_post {
	char channel[AEM_CHANNEL_LEN];
	__u64 data;		/* user pointer */
	__u32 len;		/* at most AEM_USER_DATA_MAX */
	__u32 reserved;
};

/* AEM_IOC_GET_STATS: this subscriber's counters. */
struct aem_stats {
	__u64 delivered;	/* records read */
	__u64 lost;		/* events dropped because the ring was full */
	__u64 queued_bytes;	/* bytes waiting in the ring now */
	__u64 ring_bytes;	/* ring capacity */
};

#define AEM_IOC_MAGIC 0xAE
#define AEM_IOC_SET_FILTER _IOW(AEM_IOC_MAGIC, 1, struct aem_filter)
#define AEM_IOC_POST _IOW(AEM_IOC_MAGIC, 2, struct aem_post)
#define AEM_IOC_GET_STATS _IOR(AEM_IOC_MAGIC, 3, struct aem_stats)
/* Ring capacity in bytes (power of two, 4 KiB to 4 MiB); before the first event. */
#define AEM_IOC_SET_RING _IOW(AEM_IOC_MAGIC, 4, __u32)

#endif /* AEM_UAPI_H */
