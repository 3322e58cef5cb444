/* board_tool: what the QEMU test board needs and busybox lacks (no setfattr,
 * getfattr or keyctl). Static, so it runs on any board image.
 *
 *   board_tool setxattrs LIST       apply every line "NAME HEXVALUE PATH" of
 *                                   LIST (lsetxattr; PATH is the rest of the
 *                                   line); prints "N xattrs set"
 *   board_tool getxattr PATH NAME   print the attribute's value in hex
 *   board_tool ima-key CERT.der     create the "_ima" keyring in root's user
 *                                   keyring (like `keyctl newring _ima @u`)
 *                                   unless it exists, and add the X.509
 *                                   certificate to it (like `keyctl padd
 *                                   asymmetric "" %:_ima`); prints the serials
 *   board_tool seal-ima             take write, link and setattr permission on
 *                                   _ima from everyone (`keyctl setperm
 *                                   %:_ima 0x0b0b0000`): from then on not
 *                                   even root can add a key to it, nor
 *                                   give the permission back
 *   board_tool as-user CMD ARGS...  run CMD as uid/gid 1000 with no
 *                                   supplementary groups: the board's
 *                                   unprivileged user (busybox's setpriv
 *                                   cannot change ids)
 *   board_tool mem-write PID|self   open /proc/PID/mem for writing, read the
 *                                   first 16 bytes of the process's first
 *                                   executable mapping and write them back
 *                                   (changes nothing, but needs the right
 *                                   to: ptrace attach); prints "wrote ...",
 *                                   or the step that failed and its errno
 *   board_tool kexec load|file      the raw kexec_load(2) or kexec_file_load(2)
 *                                   syscall as an unload (no segments, or
 *                                   KEXEC_FILE_UNLOAD): loads nothing, so it
 *                                   is harmless where kexec is allowed;
 *                                   prints "ok", or the errno
 *
 * Exit status: 0 done, 1 a system call failed (message on stderr), 2 usage.
 * board.sh applies the image's xattrs with `setxattrs` when given this tool
 * (BOARD_TOOL); the scenarios call the rest through /.board/tool.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/kexec.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#define KEY_SPEC_USER_KEYRING (-4)
#define KEYCTL_SETPERM 5
#define KEYCTL_SEARCH 10
/* View, read and search for the possessor and the owner; nothing else. */
#define IMA_SEALED_PERM 0x0b0b0000

static int hex_value(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decodes HEX (even length) into OUT (at least strlen(HEX)/2 bytes). */
static long decode_hex(const char *hex, unsigned char *out) {
  size_t n = strlen(hex);
  if (n % 2) return -1;
  for (size_t i = 0; i < n; i += 2) {
    int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) return -1;
    out[i / 2] = (unsigned char)(hi << 4 | lo);
  }
  return (long)(n / 2);
}

static int set_xattrs(const char *list) {
  FILE *f = fopen(list, "r");
  if (!f) {
    fprintf(stderr, "board_tool: %s: %s\n", list, strerror(errno));
    return 1;
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  int count = 0, failed = 0, lineno = 0;
  while ((len = getline(&line, &cap, f)) >= 0) {
    lineno++;
    if (len > 0 && line[len - 1] == '\n') line[--len] = '\0';
    if (len == 0) continue;
    char *name = line;
    char *hex = strchr(name, ' ');
    char *path = hex ? strchr(hex + 1, ' ') : NULL;
    if (!path) {
      fprintf(stderr, "board_tool: %s:%d: not \"NAME HEX PATH\"\n", list, lineno);
      failed = 1;
      continue;
    }
    *hex++ = '\0';
    *path++ = '\0';
    unsigned char *value = malloc(strlen(hex) / 2 + 1);
    long n = value ? decode_hex(hex, value) : -1;
    if (n < 0) {
      fprintf(stderr, "board_tool: %s:%d: bad hex value\n", list, lineno);
      failed = 1;
    } else if (lsetxattr(path, name, value, (size_t)n, 0) != 0) {
      fprintf(stderr, "board_tool: %s: %s: %s\n", path, name, strerror(errno));
      failed = 1;
    } else {
      count++;
    }
    free(value);
  }
  free(line);
  fclose(f);
  printf("%d xattrs set\n", count);
  return failed;
}

static int get_xattr(const char *path, const char *name) {
  unsigned char buf[65536];
  ssize_t n = lgetxattr(path, name, buf, sizeof buf);
  if (n < 0) {
    fprintf(stderr, "board_tool: %s: %s: %s\n", path, name, strerror(errno));
    return 1;
  }
  for (ssize_t i = 0; i < n; i++) printf("%02x", buf[i]);
  printf("\n");
  return 0;
}

static int ima_key(const char *cert_path) {
  FILE *f = fopen(cert_path, "rb");
  if (!f) {
    fprintf(stderr, "board_tool: %s: %s\n", cert_path, strerror(errno));
    return 1;
  }
  static unsigned char der[65536];
  size_t len = fread(der, 1, sizeof der, f);
  fclose(f);
  if (len == 0 || len == sizeof der) {
    fprintf(stderr, "board_tool: %s: empty or too large\n", cert_path);
    return 1;
  }
  /* An existing _ima keyring linked to the user keyring is reused. */
  long ring = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, "keyring", "_ima", 0);
  if (ring < 0) ring = syscall(SYS_add_key, "keyring", "_ima", NULL, 0, KEY_SPEC_USER_KEYRING);
  if (ring < 0) {
    fprintf(stderr, "board_tool: add_key(keyring, _ima): %s\n", strerror(errno));
    return 1;
  }
  long key = syscall(SYS_add_key, "asymmetric", NULL, der, len, (int32_t)ring);
  if (key < 0) {
    fprintf(stderr, "board_tool: add_key(asymmetric, %s): %s\n", cert_path, strerror(errno));
    return 1;
  }
  printf("_ima keyring %ld, key %ld\n", ring, key);
  return 0;
}

static int seal_ima(void) {
  long ring = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, "keyring", "_ima", 0);
  if (ring < 0) {
    fprintf(stderr, "board_tool: no _ima keyring: %s\n", strerror(errno));
    return 1;
  }
  if (syscall(SYS_keyctl, KEYCTL_SETPERM, (int32_t)ring, IMA_SEALED_PERM) != 0) {
    fprintf(stderr, "board_tool: setperm(_ima): %s\n", strerror(errno));
    return 1;
  }
  printf("_ima keyring %ld sealed\n", ring);
  return 0;
}

static int as_user(char **argv) {
  if (setgroups(0, NULL) != 0 || setgid(1000) != 0 || setuid(1000) != 0) {
    perror("board_tool: cannot become uid 1000");
    return 1;
  }
  execv(argv[0], argv);
  fprintf(stderr, "board_tool: cannot run %s: %s\n", argv[0], strerror(errno));
  return 1;
}

/* The start of the first executable mapping in /proc/WHO/maps, or 0. */
static unsigned long first_code_address(const char *who) {
  char path[64], line[512];
  snprintf(path, sizeof path, "/proc/%s/maps", who);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  unsigned long start = 0, end;
  char perms[5];
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, "%lx-%lx %4s", &start, &end, perms) == 3 && perms[2] == 'x') break;
    start = 0;
  }
  fclose(f);
  return start;
}

static int mem_write(const char *who) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%s/mem", who);
  /* The open is the ptrace check (PTRACE_MODE_ATTACH), as in ptrace(2). */
  int fd = open(path, O_RDWR);
  if (fd < 0) {
    int err = errno;
    fprintf(stderr, "mem-write %s: open: errno %d (%s)\n", path, err, strerror(err));
    return 1;
  }
  unsigned long at = first_code_address(who);
  unsigned char code[16];
  const char *step = NULL;
  if (at == 0)
    step = "no executable mapping in maps";
  else if (pread(fd, code, sizeof code, (off_t)at) != (ssize_t)sizeof code)
    step = "read";
  else if (pwrite(fd, code, sizeof code, (off_t)at) != (ssize_t)sizeof code)
    step = "write";
  int err = errno;
  close(fd);
  if (step) {
    fprintf(stderr, "mem-write %s: %s: errno %d (%s)\n", path, step, err, strerror(err));
    return 1;
  }
  printf("mem-write %s: wrote %zu bytes of code at 0x%lx\n", path, sizeof code, at);
  return 0;
}

/* WHICH: "load" or "file". */
static int kexec(const char *which) {
  int file = strcmp(which, "file") == 0;
  const char *name = file ? "kexec_file_load" : "kexec_load";
  long r = file ? syscall(SYS_kexec_file_load, -1, -1, 0UL, NULL, (unsigned long)KEXEC_FILE_UNLOAD)
                : syscall(SYS_kexec_load, 0UL, 0UL, NULL, (unsigned long)KEXEC_ARCH_DEFAULT);
  if (r != 0) {
    int err = errno;
    fprintf(stderr, "%s: errno %d (%s)\n", name, err, strerror(err));
    return 1;
  }
  printf("%s: ok (unloaded)\n", name);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "setxattrs") == 0) return set_xattrs(argv[2]);
  if (argc == 4 && strcmp(argv[1], "getxattr") == 0) return get_xattr(argv[2], argv[3]);
  if (argc == 3 && strcmp(argv[1], "ima-key") == 0) return ima_key(argv[2]);
  if (argc == 2 && strcmp(argv[1], "seal-ima") == 0) return seal_ima();
  if (argc >= 3 && strcmp(argv[1], "as-user") == 0) return as_user(argv + 2);
  if (argc == 3 && strcmp(argv[1], "mem-write") == 0) return mem_write(argv[2]);
  if (argc == 3 && strcmp(argv[1], "kexec") == 0 &&
      (strcmp(argv[2], "load") == 0 || strcmp(argv[2], "file") == 0))
    return kexec(argv[2]);
  fprintf(stderr,
          "usage: board_tool setxattrs LIST | getxattr PATH NAME | ima-key CERT.der | "
          "seal-ima | as-user CMD ARGS... | mem-write PID|self | kexec load|file\n");
  return 2;
}
