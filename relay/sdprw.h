/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file sdprw.h  SDP parser and line-by-line rewriter for the relay
 *
 * libre's sdp_* re-encodes from its own state and drops what it does
 * not know, so third-party SDP is rewritten here line by line: only
 * the lines that name the relay's addresses and ports change, every
 * other line is copied byte for byte, in order.
 *
 * What the parser accepts (anything else is EBADMSG):
 *  - lines "<a-z>=<text>" ending in CRLF or LF, with no NUL and no bare
 *    CR; no empty lines. The last line may lack its line end: a text
 *    cut in the middle of a line is accepted if that line is still
 *    well-formed ("a=ptime:2" cannot be told from "a=ptime:20"), and
 *    refused if not ("m=audio 49", "c=IN IP4 10.0", or a CR without
 *    its LF);
 *  - "v=0" first, exactly one o= and one s= at session level, no v=,
 *    o= or s= elsewhere;
 *  - o=: six words separated by single spaces (the address is not
 *    checked: it may be a host name);
 *  - c=: "IN IP4 <addr>" or "IN IP6 <addr>", a unicast address of
 *    that family (no "/ttl"); at most one per section;
 *  - m=: "<media> <port>[/<n>] <proto> <fmt...>", port 0..65535, n >=1;
 *  - a=rtcp: "<port>" or "<port> IN IP4|IP6 <addr>", once per media;
 *  - every m= section that is not disabled (port 0) has an address,
 *    its own c= or the session's.
 *
 * Limits: SDPRW_TEXT_MAX bytes (EMSGSIZE), SDPRW_MEDIA_MAX m= lines
 * (E2BIG).
 */
#ifndef UMEDGE_SDPRW_H
#define UMEDGE_SDPRW_H

enum {
	SDPRW_MEDIA_MAX = 16,     /**< Most m= lines accepted          */
	SDPRW_TEXT_MAX  = 65536,  /**< Longest SDP accepted (bytes)    */
	SDPRW_CRYPTO_MAX = 8,     /**< a=crypto lines kept per m= line */
};

/** Media direction (RFC 4566 section 6) */
enum sdprw_dir {
	SDPRW_SENDRECV = 0,
	SDPRW_SENDONLY,
	SDPRW_RECVONLY,
	SDPRW_INACTIVE,
};

/** What to do with a=rtcp-mux (RFC 5761) */
enum sdprw_mux {
	SDPRW_MUX_KEEP = 0,  /**< Copy it if present        */
	SDPRW_MUX_ADD,       /**< Make sure it is there     */
	SDPRW_MUX_REMOVE,    /**< Drop it                   */
};

/** The o= line, word by word */
struct sdprw_origin {
	struct pl user;      /**< username                      */
	struct pl sess_id;   /**< sess-id                       */
	struct pl version;   /**< sess-version                  */
	struct pl nettype;   /**< "IN"                          */
	struct pl addrtype;  /**< "IP4", "IP6"                  */
	struct pl addr;      /**< unicast-address, as written   */
};

/** One parsed m= section */
struct sdprw_stream {
	struct pl type;        /**< "audio", "video", ...              */
	uint16_t port;         /**< RTP port, 0 if disabled            */
	uint16_t nports;       /**< n of "port/n", 0 if absent         */
	struct pl proto;       /**< "RTP/AVP", "UDP/TLS/RTP/SAVPF"...  */
	struct pl fmts;        /**< The format list, as written        */
	struct sa addr;        /**< Effective address, RTP port set;
				    unset if disabled and no c= at all */
	bool has_conn;         /**< It has its own c= line             */
	bool has_rtcp;         /**< It has a=rtcp                      */
	bool rtcp_addr;        /**< a=rtcp names an address            */
	uint16_t rtcp_port;    /**< Port of a=rtcp                     */
	struct sa rtcp;        /**< a=rtcp address (or addr) and port  */
	bool rtcp_mux;         /**< a=rtcp-mux is present              */
	enum sdprw_dir dir;    /**< Direction, session's by default    */
	bool has_crypto;       /**< a=crypto is present (SDES-SRTP)    */
	struct pl crypto[SDPRW_CRYPTO_MAX]; /**< Values of the first
				    a=crypto lines, in order           */
	size_t cryptoc;        /**< How many are kept                  */
	uint32_t clock_rate;   /**< RTP clock of the first format (its
				    a=rtpmap, else RFC 3551's), 0 if
				    unknown                             */
	uint8_t te_pt;         /**< telephone-event payload type...    */
	uint32_t te_rate;      /**< ...and its clock, 0 if none        */
	bool has_ice;          /**< ICE attributes, here or session's  */
	bool disabled;         /**< Port 0                             */
};

/** A parsed SDP. The pl fields point into its own copy of the text */
struct sdprw_sdp {
	struct sdprw_origin origin;   /**< The o= line               */
	struct pl name;               /**< s= value                  */
	bool has_conn;                /**< Session-level c= present  */
	struct sa conn;               /**< Session-level c=, port 0  */
	enum sdprw_dir dir;           /**< Session-level direction   */
	bool has_ice;                 /**< Session-level ICE attrs   */
	size_t mediac;                /**< Number of m= lines        */
	struct sdprw_stream media[SDPRW_MEDIA_MAX];  /**< In m= order */
	char *buf;                    /**< The copy of the text      */
};

/** What to announce for one m= line */
struct sdprw_media {
	bool keep;             /**< Copy this m= section untouched    */
	struct sa addr;        /**< Address and RTP port to announce  */
	uint16_t rtcp_port;    /**< Port for a=rtcp, if present       */
	enum sdprw_mux mux;    /**< What to do with a=rtcp-mux        */
	const char *proto;     /**< Transport to announce ("RTP/AVP",
				    "RTP/SAVP"...), NULL: as it is    */
	bool crypto_set;       /**< The a=crypto lines are replaced  */
	const char *crypto[SDPRW_CRYPTO_MAX]; /**< ...by these values
				    ("<tag> <suite> inline:<key>")    */
	size_t cryptoc;        /**< How many (0: none)                */
};

/** Session-wide rewriting options */
struct sdprw_opts {
	bool replace_origin;        /**< o= address := origin          */
	bool replace_session_conn;  /**< Session c= := first media's   */
	bool ice_remove;            /**< Drop ICE attributes           */
	bool ssrc_remove;           /**< Drop a=ssrc and a=ssrc-group  */
	struct sa origin;           /**< Address for o=                */
	uint64_t o_version;         /**< sess-version to write, 0 keep */
};

int sdprw_parse(struct sdprw_sdp **sdpp, const struct pl *text);
int sdprw_rewrite(struct mbuf *mb, const struct pl *text,
		  const struct sdprw_media *m, size_t n,
		  const struct sdprw_opts *opts);
const char *sdprw_dir_name(enum sdprw_dir dir);

#endif
