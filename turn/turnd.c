/**
 * @file turnd.c  TURN server: the server object
 */
#include <re.h>
#include "cfg.h"
#include "turnd.h"


/** The TURN server */
struct turnd {
	const struct cfg *cfg;   /**< Configuration (referenced)  */
};


static void turnd_destructor(void *data)
{
	struct turnd *turnd = data;

	mem_deref((void *)turnd->cfg);
}


/**
 * Allocate the TURN server
 *
 * @param turndp Pointer to allocated TURN server
 * @param cfg    Configuration, referenced
 *
 * @return 0 if success, otherwise errorcode
 */
int turnd_alloc(struct turnd **turndp, const struct cfg *cfg)
{
	struct turnd *turnd;

	if (!turndp || !cfg)
		return EINVAL;

	turnd = mem_zalloc(sizeof(*turnd), turnd_destructor);
	if (!turnd)
		return ENOMEM;

	turnd->cfg = mem_ref((void *)cfg);

	*turndp = turnd;

	return 0;
}


/**
 * Print the TURN server's state for umedgectl
 *
 * @param pf    Print handler
 * @param turnd TURN server
 *
 * @return 0 if success, otherwise errorcode
 */
int turnd_status(struct re_printf *pf, const struct turnd *turnd)
{
	if (!turnd)
		return re_hprintf(pf, "turn: disabled\n");

	return re_hprintf(pf, "turn: enabled, realm %s, 0 allocations\n",
			  turnd->cfg->turn.realm);
}
