-- SPDX-License-Identifier: BSD-3-Clause
-- hep3.lua: a small HEP v3 dissector for tshark (Debian 12's 4.0 has
-- none), for tests/integration/hep.test. It walks the chunks, names the
-- ones the test reads, and hands a SIP payload (protocol type 1) to
-- Wireshark's SIP dissector. Load with
--   tshark -X lua_script:hep3.lua -X lua_script1:PORT ...
-- where PORT is the collector's UDP port (default 9060).

local hep3 = Proto("hep3", "HEP version 3")
local f_len = ProtoField.uint16("hep3.length", "Total length")
local f_capid = ProtoField.uint32("hep3.capture_id", "Capture agent id")
local f_ptype = ProtoField.uint8("hep3.protocol_type", "Protocol type")
local f_corr = ProtoField.string("hep3.correlation_id", "Correlation id")
local f_key = ProtoField.string("hep3.auth_key", "Authentication key")
local f_src = ProtoField.string("hep3.src", "Source")
local f_dst = ProtoField.string("hep3.dst", "Destination")
local f_proto = ProtoField.uint8("hep3.ip_proto", "IP protocol")
hep3.fields = {f_len, f_capid, f_ptype, f_corr, f_key, f_src, f_dst, f_proto}

local sip = Dissector.get("sip")

local function addr(tvb, len)
	if len == 4 then
		return tostring(tvb:ipv4())
	end
	return tostring(tvb:ipv6())
end

function hep3.dissector(tvb, pinfo, tree)
	if tvb:len() < 6 or tvb(0, 4):string() ~= "HEP3" then
		return 0
	end
	pinfo.cols.protocol = "HEP3"
	local t = tree:add(hep3, tvb())
	t:add(f_len, tvb(4, 2))
	local pos, total = 6, math.min(tvb(4, 2):uint(), tvb:len())
	local ptype, payload, sport, dport, src, dst = 0, nil, "", "", "", ""
	while pos + 6 <= total do
		local ctype = tvb(pos + 2, 2):uint()
		local clen = tvb(pos + 4, 2):uint()
		if clen < 6 or pos + clen > total then
			break
		end
		local v = tvb(pos + 6, clen - 6)
		if ctype == 2 then t:add(f_proto, v)
		elseif ctype == 3 or ctype == 5 then src = addr(v, clen - 6)
		elseif ctype == 4 or ctype == 6 then dst = addr(v, clen - 6)
		elseif ctype == 7 then sport = tostring(v:uint())
		elseif ctype == 8 then dport = tostring(v:uint())
		elseif ctype == 11 then ptype = v:uint(); t:add(f_ptype, v)
		elseif ctype == 12 then t:add(f_capid, v)
		elseif ctype == 14 then t:add(f_key, v)
		elseif ctype == 17 then t:add(f_corr, v)
		elseif ctype == 15 then payload = v
		end
		pos = pos + clen
	end
	t:add(f_src, src .. ":" .. sport)
	t:add(f_dst, dst .. ":" .. dport)
	if payload and ptype == 1 then
		sip:call(payload:tvb(), pinfo, tree)
	end
	return total
end

local args = {...}
DissectorTable.get("udp.port"):add(tonumber(args[1] or "9060"), hep3)
