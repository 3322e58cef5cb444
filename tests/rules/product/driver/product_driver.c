// SPDX-License-Identifier: GPL-2.0
/*
 * product_driver: the out-of-tree product's kernel module. The test only
 * reads its module signature (modinfo), so all it needs is a parameter to
 * show that the product's sources, not digsig's, were built.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

static int board_revision = 1;
module_param(board_revision, int, 0444);
MODULE_PARM_DESC(board_revision, "the board revision this image drives");

static int __init product_driver_init(void)
{
	pr_info("product_driver: board revision %d\n", board_revision);
	return 0;
}
module_init(product_driver_init);

static void __exit product_driver_exit(void)
{
}
module_exit(product_driver_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("digsig out-of-tree product test module");
