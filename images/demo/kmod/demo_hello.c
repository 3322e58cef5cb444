// SPDX-License-Identifier: GPL-2.0
/*
 * demo_hello: the demo product's kernel module, built by the kernel_module
 * rule and signed in module format. It only says hello; digsig.ko takes its
 * place in the image once it exists.
 */
#include <linux/init.h>
#include <linux/module.h>

static int __init demo_hello_init(void)
{
	pr_info("demo_hello: a signed module loaded\n");
	return 0;
}

static void __exit demo_hello_exit(void)
{
	pr_info("demo_hello: unloaded\n");
}

module_init(demo_hello_init);
module_exit(demo_hello_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("digsig demo product module");
