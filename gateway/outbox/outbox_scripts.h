// The Lua scripts of the outbox. Each runs atomically in Redis and, under AOF, is logged as one
// MULTI/EXEC of its effects, so after a crash Redis replays all of a script or none of it: a
// document hash never exists without its schedule entry, nor a schedule entry in two sets.
//
// Keys (P = key_prefix, all in one hash slot through the "{outbox}" tag):
//   P doc:<name>  hash: outbox_id document_id sender digest body state attempts accepted_at
//                 next_at lease lease_until last_error axis_id axis_duplicate finished_at
//   P due         zset: name → when the next attempt may start (ms, the gateway's Clock)
//   P lease       zset: name → when the current claim expires
//   P dead        zset: name → when it was dead-lettered
//   P delivered   zset: name → when it was delivered
//   P seq         counter of outbox ids
// A name is in exactly one of the four sets, the one of its state.
#pragma once

namespace lienthong::outbox::scripts {

// KEYS: doc, due, seq. ARGV: name, document_id, sender, digest, sealed body, now.
// → {"new"|"duplicate"|"conflict", outbox_id, state}
inline constexpr const char* kAccept = R"lua(
local cur = redis.call('HMGET', KEYS[1], 'outbox_id', 'digest', 'sender', 'state')
if cur[1] then
  if cur[2] == ARGV[4] and cur[3] == ARGV[3] then return {'duplicate', cur[1], cur[4]} end
  return {'conflict', cur[1], cur[4]}
end
local id = string.format('ob-%010d', redis.call('INCR', KEYS[3]))
redis.call('HSET', KEYS[1], 'outbox_id', id, 'document_id', ARGV[2], 'sender', ARGV[3],
  'digest', ARGV[4], 'body', ARGV[5], 'state', 'accepted', 'attempts', 0,
  'accepted_at', ARGV[6], 'next_at', ARGV[6])
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[1])
return {'new', id, 'accepted'}
)lua";

// KEYS: due, lease, dead. ARGV: prefix, now, lease_until, owner, limit, max_attempts.
// First expired leases go back to due (their deliverer died or hung), or to dead when their
// last attempt was used up (a document that kills every deliverer must not loop forever); then
// up to `limit` due documents are leased. → {{name, outbox_id, document_id, sender, body,
// attempt, lease}, ...}
inline constexpr const char* kClaim = R"lua(
local now = tonumber(ARGV[2])
local limit = tonumber(ARGV[5])
local max = tonumber(ARGV[6])
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, limit)
for _, m in ipairs(expired) do
  local doc = ARGV[1] .. 'doc:' .. m
  redis.call('ZREM', KEYS[2], m)
  local attempts = tonumber(redis.call('HGET', doc, 'attempts') or '0')
  if redis.call('EXISTS', doc) == 0 then
    -- nothing to do: the set pointed at a document that is gone
  elseif attempts >= max then
    redis.call('HSET', doc, 'state', 'dead', 'finished_at', ARGV[2], 'last_error',
      'the lease of the last attempt expired (the deliverer died or hung while sending)')
    redis.call('HDEL', doc, 'lease', 'lease_until')
    redis.call('ZADD', KEYS[3], now, m)
  else
    redis.call('HSET', doc, 'state', 'accepted', 'next_at', ARGV[2])
    redis.call('HDEL', doc, 'lease', 'lease_until')
    redis.call('ZADD', KEYS[1], now, m)
  end
end
local out = {}
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)
for _, m in ipairs(due) do
  local doc = ARGV[1] .. 'doc:' .. m
  redis.call('ZREM', KEYS[1], m)
  if redis.call('EXISTS', doc) == 1 then
    local attempt = redis.call('HINCRBY', doc, 'attempts', 1)
    local lease = ARGV[4] .. ':' .. attempt
    redis.call('HSET', doc, 'state', 'delivering', 'lease', lease, 'lease_until', ARGV[3])
    redis.call('HDEL', doc, 'next_at')
    redis.call('ZADD', KEYS[2], ARGV[3], m)
    local f = redis.call('HMGET', doc, 'outbox_id', 'document_id', 'sender', 'body')
    out[#out + 1] = {m, f[1], f[2], f[3], f[4] or '', tostring(attempt), lease}
  end
end
return out
)lua";

// KEYS: doc, lease, due, dead, delivered. ARGV: name, now, axis_id, duplicate (0|1).
// Whoever holds the lease: the axis has the document, that is the truth even from a deliverer
// whose lease expired. The body is dropped: personal data is kept no longer than needed, and
// the digest still answers a late duplicate accept(). → "ok" | "already" | "missing"
inline constexpr const char* kDelivered = R"lua(
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'missing' end
if state == 'delivered' then return 'already' end
redis.call('HSET', KEYS[1], 'state', 'delivered', 'axis_id', ARGV[3], 'axis_duplicate', ARGV[4],
  'finished_at', ARGV[2])
redis.call('HDEL', KEYS[1], 'body', 'lease', 'lease_until', 'next_at')
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZADD', KEYS[5], ARGV[2], ARGV[1])
return 'ok'
)lua";

// KEYS: doc, lease, due, dead. ARGV: name, lease, now, next_at, error, max_attempts,
// permanent (0|1). Only the current lease holder may reschedule or dead-letter: a deliverer
// that was too slow must not undo the claim of the one that took over.
// → "retry" | "dead" | "stale"
inline constexpr const char* kFailed = R"lua(
local cur = redis.call('HMGET', KEYS[1], 'state', 'lease', 'attempts')
if cur[1] ~= 'delivering' or cur[2] ~= ARGV[2] then return 'stale' end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[1], 'lease', 'lease_until')
if ARGV[7] == '1' or tonumber(cur[3]) >= tonumber(ARGV[6]) then
  redis.call('HSET', KEYS[1], 'state', 'dead', 'last_error', ARGV[5], 'finished_at', ARGV[3])
  redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1])
  return 'dead'
end
redis.call('HSET', KEYS[1], 'state', 'accepted', 'last_error', ARGV[5], 'next_at', ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
return 'retry'
)lua";

// KEYS: doc, dead, due. ARGV: name, now. A dead letter starts again with a fresh attempt count.
// → "ok" | "missing" | the current state
inline constexpr const char* kRetryDead = R"lua(
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'missing' end
if state ~= 'dead' then return state end
redis.call('HSET', KEYS[1], 'state', 'accepted', 'attempts', 0, 'next_at', ARGV[2])
redis.call('HDEL', KEYS[1], 'finished_at')
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
return 'ok'
)lua";

}  // namespace lienthong::outbox::scripts
