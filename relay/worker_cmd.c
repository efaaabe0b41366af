/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file worker_cmd.c  Forwarding threads: the main thread's side
 *
 * The main thread hands streams, SDP, timeouts, DTMF and releases to a
 * worker as commands in a locked list, and wakes it through its
 * eventfd; the worker runs them (worker.c, cmds_run) before the
 * datagrams that may need them. The counters a worker publishes are
 * read here without a lock (atomics).
 */
#include <string.h>
#include <unistd.h>
#include <re.h>
#include "fwd.h"
#include "offload.h"
#include "worker.h"
#include "wring.h"
#include "worker_priv.h"


/**
 * Queue a command; it is filled in before the worker can see it
 *
 * @param w    Worker
 * @param tmpl The command, copied
 *
 * @return 0 if success, otherwise errorcode
 */
int worker_cmd_push(struct worker *w, const struct worker_cmd *tmpl)
{
	struct worker_cmd *cmd;
	uint64_t one = 1;

	cmd = mem_zalloc(sizeof(*cmd), NULL);
	if (!cmd)
		return ENOMEM;

	cmd->op = tmpl->op;
	cmd->fs = tmpl->fs;
	cmd->side = tmpl->side;
	cmd->sdp = tmpl->sdp;
	cmd->timeout_ms = tmpl->timeout_ms;
	cmd->dtmf = tmpl->dtmf;

	pthread_mutex_lock(&w->lock);
	list_append(&w->cmds, &cmd->le, cmd);
	pthread_mutex_unlock(&w->lock);

	/* queued: the worker will run it. A failed write can only mean
	 * the eventfd is already signalled, so it is not an error */
	(void)!write(w->evfd, &one, sizeof(one));

	return 0;
}


/**
 * Queue a command that names only a stream
 *
 * @param w  Worker
 * @param op What to do
 * @param fs The stream, or NULL
 *
 * @return 0 if success, otherwise errorcode
 */
int worker_cmd_simple(struct worker *w, enum cmd_op op,
		      struct fwd_stream *fs)
{
	struct worker_cmd tmpl;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.op = op;
	tmpl.fs = fs;

	return worker_cmd_push(w, &tmpl);
}


/**
 * Hand a stream with open sockets to the worker
 *
 * @param w  Worker
 * @param fs Stream; the worker owns it until FWD_EV_RELEASED
 *
 * @return 0 if success, otherwise errorcode
 */
int worker_add(struct worker *w, struct fwd_stream *fs)
{
	int err;

	if (!w || !fs)
		return EINVAL;

	err = worker_cmd_simple(w, CMD_ADD, fs);
	if (!err)
		++w->nstreams;

	return err;
}


/**
 * Give a side its peer's addresses from an offer or answer
 *
 * @param w    Worker
 * @param fs   Stream
 * @param side 0 or 1
 * @param sdp  The peer's addresses and learning window
 *
 * @return 0 if success, otherwise errorcode
 */
int worker_sdp(struct worker *w, struct fwd_stream *fs, int side,
	       const struct worker_sdp *sdp)
{
	struct worker_cmd tmpl;

	if (!w || !fs || side < 0 || side > 1 || !sdp)
		return EINVAL;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.op = CMD_SDP;
	tmpl.fs = fs;
	tmpl.side = side;
	tmpl.sdp = *sdp;

	return worker_cmd_push(w, &tmpl);
}


/**
 * Reopen the learning window of a side that has not locked yet
 *
 * @param w         Worker
 * @param fs        Stream
 * @param side      0 or 1
 * @param window_ms Length of the window
 *
 * @return 0 if success, otherwise errorcode
 */
int worker_window(struct worker *w, struct fwd_stream *fs, int side,
		  uint32_t window_ms)
{
	struct worker_cmd tmpl;

	if (!w || !fs || side < 0 || side > 1)
		return EINVAL;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.op = CMD_WINDOW;
	tmpl.fs = fs;
	tmpl.side = side;
	tmpl.sdp.window_ms = window_ms;

	return worker_cmd_push(w, &tmpl);
}


/**
 * Set the stream's media timeout, starting a new phase (setup,
 * answered, on hold)
 *
 * @param w          Worker
 * @param fs         Stream
 * @param timeout_ms Milliseconds without media, 0 for none
 *
 * @return 0 if success, otherwise errorcode
 */
int worker_timeout(struct worker *w, struct fwd_stream *fs,
		   uint32_t timeout_ms)
{
	struct worker_cmd tmpl;

	if (!w || !fs)
		return EINVAL;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.op = CMD_TIMEOUT;
	tmpl.fs = fs;
	tmpl.timeout_ms = timeout_ms;

	return worker_cmd_push(w, &tmpl);
}


/**
 * Play a digit toward a side's peer, as RFC 4733 events in the stream
 * it receives
 *
 * @param w    Worker
 * @param fs   Stream
 * @param side Side whose peer gets the events
 * @param d    The digit, payload type and clock
 *
 * @return 0 if success, otherwise errorcode
 */
int worker_dtmf(struct worker *w, struct fwd_stream *fs, int side,
		const struct worker_dtmf *d)
{
	struct worker_cmd tmpl;

	if (!w || !fs || side < 0 || side > 1 || !d)
		return EINVAL;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.op = CMD_DTMF;
	tmpl.fs = fs;
	tmpl.side = side;
	tmpl.dtmf = *d;

	return worker_cmd_push(w, &tmpl);
}


/**
 * Take a stream back. The worker stops reading its sockets and posts
 * FWD_EV_RELEASED; only then may the owner close and free it.
 *
 * @param w  Worker
 * @param fs Stream
 *
 * @return 0 if success, otherwise errorcode
 */
int worker_release(struct worker *w, struct fwd_stream *fs)
{
	int err;

	if (!w || !fs)
		return EINVAL;

	err = worker_cmd_simple(w, CMD_RELEASE, fs);
	if (!err && w->nstreams)
		--w->nstreams;

	return err;
}


/** @return streams handed to the worker and not taken back */
unsigned worker_streams(const struct worker *w)
{
	return w ? w->nstreams : 0;
}


/**
 * The worker's heartbeat: it grows every TICK_MS while the thread runs
 * its loop
 *
 * @param w Worker
 *
 * @return the count of loop ticks
 */
uint64_t worker_beat(const struct worker *w)
{
	return w ? FWD_GET(w->beat) : 0;
}


/**
 * Whether the worker reads and sends with io_uring: its thread enables
 * the ring when it starts, and falls back to epoll if it cannot; this
 * waits up to 1 s for that
 *
 * @param w   Worker
 * @param errp Why not, if worker_alloc() asked for it (EINVAL if not)
 *
 * @return true if it does
 */
bool worker_uring(const struct worker *w, int *errp)
{
	int err = w ? FWD_GET(w->ring_err) : EINVAL;

	/* the thread enables its ring when it starts: wait for it */
	for (int i = 0; err == RING_PENDING && i < 1000; i++) {
		(void)usleep(1000);
		err = FWD_GET(w->ring_err);
	}

	if (err == RING_PENDING)
		err = ETIMEDOUT;
	if (errp)
		*errp = err;

	return !err;
}


/** @return the worker's kernel offload, whose counters are atomics */
const struct offload *worker_offload(const struct worker *w)
{
	return w ? &w->off : NULL;
}


/**
 * Whether the worker tells the main thread of every change of a
 * stream's published view (FWD_EV_CHANGED); off unless someone keeps a
 * copy of the calls (high availability)
 *
 * @param w  Worker
 * @param on Post them
 */
void worker_post_changes(struct worker *w, bool on)
{
	if (w)
		__atomic_store_n(&w->changes, on, __ATOMIC_RELAXED);
}
