/**
 * @file relay.c  Media relay core: the relay object
 */
#include <re.h>
#include "cfg.h"
#include "relay.h"


/** The media relay */
struct relay {
	const struct cfg *cfg;   /**< Configuration (referenced)      */
	uint32_t ports;          /**< Media ports in all the ranges   */
};


static void relay_destructor(void *data)
{
	struct relay *relay = data;

	mem_deref((void *)relay->cfg);
}


/**
 * Allocate the media relay
 *
 * @param relayp Pointer to allocated relay
 * @param cfg    Configuration, referenced
 *
 * @return 0 if success, otherwise errorcode
 */
int relay_alloc(struct relay **relayp, const struct cfg *cfg)
{
	struct relay *relay;

	if (!relayp || !cfg)
		return EINVAL;

	relay = mem_zalloc(sizeof(*relay), relay_destructor);
	if (!relay)
		return ENOMEM;

	relay->cfg = mem_ref((void *)cfg);
	relay->ports = cfg_media_ports(cfg);

	*relayp = relay;

	return 0;
}


/**
 * Print the relay's state for umedgectl
 *
 * @param pf    Print handler
 * @param relay Relay
 *
 * @return 0 if success, otherwise errorcode
 */
int relay_status(struct re_printf *pf, const struct relay *relay)
{
	if (!relay)
		return re_hprintf(pf, "relay: disabled\n");

	return re_hprintf(pf, "relay: enabled, %u media ports, 0 calls\n",
			  relay->ports);
}
