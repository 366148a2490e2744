// The Lua scripts of the document inbox. Each runs atomically and, under AOF, is logged as one
// MULTI/EXEC of its effects (gateway/outbox/README.md): a recipient's index never names a
// document whose hash is missing, and a marker never exists without its index entry.
//
// Keys (P = key_prefix, all in one hash slot through the "{inbox}" tag; <d> = keyed name of the
// DocumentId, <o> = keyed name of the recipient organ; SealingKey::keyed_name):
//   P doc:<d>        hash: digest (keyed, of the body), body (sealed, associated data = this
//                    key), meta (sealed JSON of the summary and signer, associated data = this
//                    key + "#meta"). Shared by every recipient this gateway serves.
//   P recv:<o>       zset: <d> → the recipient's sequence of the document
//   P seq:<o>        the recipient's sequence counter
//   P mark:<o>:<d>   "<sequence>:<received_at ms>": the document was stored for this recipient
//   P refused        list of sealed RefusedIncoming, newest first, capped
#pragma once

namespace lienthong::documents::scripts {

// KEYS: doc, recv, seq, mark. ARGV: d, digest, sealed body, sealed meta, now (ms).
// → {"new"|"duplicate", mark} | {"conflict", ""}
// A second store for the same recipient is a duplicate whatever it carries (the receiver
// re-fetched it). A first store for another recipient reuses the hash when the body is the
// same; another body under a stored DocumentId is a conflict and changes nothing.
inline constexpr const char* kStore = R"lua(
local mark = redis.call('GET', KEYS[4])
if mark then return {'duplicate', mark} end
local digest = redis.call('HGET', KEYS[1], 'digest')
if digest and digest ~= ARGV[2] then return {'conflict', ''} end
if not digest then
  redis.call('HSET', KEYS[1], 'digest', ARGV[2], 'body', ARGV[3], 'meta', ARGV[4])
end
local seq = redis.call('INCR', KEYS[3])
mark = seq .. ':' .. ARGV[5]
redis.call('SET', KEYS[4], mark)
redis.call('ZADD', KEYS[2], seq, ARGV[1])
return {'new', mark}
)lua";

// KEYS: recv. ARGV: prefix, o, after (exclusive), limit. → {{d, meta, mark}, ...} oldest first.
inline constexpr const char* kList = R"lua(
local names = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[3], '+inf', 'LIMIT', 0, ARGV[4])
local out = {}
for _, d in ipairs(names) do
  local meta = redis.call('HGET', ARGV[1] .. 'doc:' .. d, 'meta')
  local mark = redis.call('GET', ARGV[1] .. 'mark:' .. ARGV[2] .. ':' .. d)
  out[#out + 1] = {d, meta or '', mark or ''}
end
return out
)lua";

// KEYS: mark, doc. → {mark, body, meta} | {} when not stored for this recipient.
inline constexpr const char* kGet = R"lua(
local mark = redis.call('GET', KEYS[1])
if not mark then return {} end
local f = redis.call('HMGET', KEYS[2], 'body', 'meta')
return {mark, f[1] or '', f[2] or ''}
)lua";

// KEYS: refused. ARGV: sealed entry, cap. → the list's length.
inline constexpr const char* kRefuse = R"lua(
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
return redis.call('LLEN', KEYS[1])
)lua";

}  // namespace lienthong::documents::scripts
