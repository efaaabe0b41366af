/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file bpfdev.h  TC programs: loading them, attaching them to devices
 */
#ifndef UMEDGE_BPFDEV_H
#define UMEDGE_BPFDEV_H

struct bpf_object;
struct bpfdev;

int  bpfdev_load(struct bpf_object **objp, const unsigned char *bytes,
		 size_t len);
int  bpfdev_prog_fd(const struct bpf_object *obj, const char *name);
int  bpfdev_alloc(struct bpfdev **bdp, int prog_fd, uint32_t prio);
int  bpfdev_attach(struct bpfdev *bd, const struct sa *addr);
int  bpfdev_find(const struct bpfdev *bd, const struct sa *addr,
		 int *ifindex, uint32_t *mtu);
unsigned bpfdev_count(const struct bpfdev *bd);

#endif
