/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fwd.c  Forwarding state of one media stream
 */
#include <time.h>
#include <string.h>
#include <re.h>
#include "fwd.h"


static void fwd_destructor(void *data)
{
	struct fwd_stream *fs = data;

	if (fs->lock_ok)
		pthread_mutex_destroy(&fs->lock);
	for (int i = 0; i < 2; i++)
		fsrtp_clear(&fs->side[i].srtp);
}


/**
 * Allocate the forwarding state of a stream, sockets not yet set
 *
 * @param fsp Pointer to allocated stream
 * @param arg Owner's handle, passed back with events
 *
 * @return 0 if success, otherwise errorcode
 */
int fwd_stream_alloc(struct fwd_stream **fsp, void *arg)
{
	struct fwd_stream *fs;
	int err;

	if (!fsp)
		return EINVAL;

	fs = mem_zalloc(sizeof(*fs), fwd_destructor);
	if (!fs)
		return ENOMEM;

	err = pthread_mutex_init(&fs->lock, NULL);
	if (err) {
		mem_deref(fs);
		return err;
	}
	fs->lock_ok = true;

	for (int s = 0; s < 2; s++) {
		struct fwd_side *side = &fs->side[s];

		side->fs = fs;
		side->fd[0] = side->fd[1] = -1;
		side->ev[0].side = side->ev[1].side = side;
		side->ev[1].rtcp = 1;
		(void)re_snprintf(side->cname, sizeof(side->cname),
				  "%016llx", (unsigned long long)rand_u64());
	}

	fs->arg = arg;
	fs->clock_rate = 8000;
	fs->phase_start = fwd_now_ms();

	*fsp = fs;

	return 0;
}


/**
 * Copy a side's latch view, for any thread
 *
 * @param fs   Stream
 * @param side 0 or 1
 * @param view The copy
 */
void fwd_side_view(struct fwd_stream *fs, int side, struct fwd_view *view)
{
	if (!fs || side < 0 || side > 1 || !view)
		return;

	pthread_mutex_lock(&fs->lock);
	*view = fs->side[side].view;
	pthread_mutex_unlock(&fs->lock);
}


/** @return monotonic time in microseconds */
uint64_t fwd_now_us(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);

	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}


/** @return monotonic time in milliseconds */
uint64_t fwd_now_ms(void)
{
	return fwd_now_us() / 1000;
}


/**
 * Whether a stream has been silent for its timeout
 *
 * @param now        Now (ms)
 * @param last       Its last packet or the start of its phase (ms); it
 *                   may be later than now: a packet counted after now
 *                   was read (the hand-over drains the sockets, the
 *                   kernel's slots are folded in, in the same tick)
 * @param timeout_ms The timeout
 *
 * @return true if it has
 */
bool fwd_silent(uint64_t now, uint64_t last, uint32_t timeout_ms)
{
	return now > last && now - last >= timeout_ms;
}
