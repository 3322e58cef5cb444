/* SPDX-License-Identifier: GPL-2.0 */
/* /sys/kernel/security/digsig/: mode, lock, stats. */
#ifndef DIGSIG_FS_H
#define DIGSIG_FS_H

int digsig_fs_init(void);
void digsig_fs_exit(void);

#endif /* DIGSIG_FS_H */
