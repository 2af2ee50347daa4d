--[[
  One token bucket shared by every replica, with the adaptive rate of the local bucket
  (src/resilience/adaptive-rate.ts): the same arithmetic, run atomically on Redis's own clock so
  that the replicas' clocks do not matter. Loaded once by src/adapters/redis/token-source.ts.

  Input:
    KEYS[1] the bucket, a hash (tokens, at, rate, cut); it expires an hour after its last use

    ARGV[1] mode: 'take' takes up to ARGV[4] tokens; 'throttle' reports a TooManyRequests:
            the rate is cut (once per cooldown at most) and the bucket emptied
    ARGV[2] ceiling: the configured rate, tokens per second
    ARGV[3] burst: the most tokens the bucket holds
    ARGV[4] wanted: tokens asked for ('take'; ignored on 'throttle')
    ARGV[5] floor: the rate never drops below this share of the ceiling
    ARGV[6] decrease: a throttle multiplies the rate by this
    ARGV[7] cooldown: throttles this close together count once, in milliseconds
    ARGV[8] recovery: the rate climbs by ceiling / recovery per second

  Output:
    { granted, rate }: the tokens granted (an integer) and the rate now allowed (a string:
    Redis would truncate a Lua number to an integer)
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local mode, ceiling, burst, wanted = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local floor, decrease, cooldown, recovery = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'rate', 'cut')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
local rate = math.min(ceiling, tonumber(state[3]) or ceiling)
local cut = tonumber(state[4]) or 0
local elapsed = math.max(0, now - at) / 1000
rate = math.min(ceiling, rate + ceiling / recovery * elapsed)
tokens = math.min(burst, tokens + rate * elapsed)
local granted = 0
if mode == 'take' then
  granted = math.min(wanted, math.floor(tokens))
  tokens = tokens - granted
elseif now - cut >= cooldown then
  rate = math.max(ceiling * floor, rate * decrease)
  cut = now
  tokens = 0
else
  tokens = 0
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now), 'rate', tostring(rate), 'cut', tostring(cut))
redis.call('PEXPIRE', KEYS[1], 3600000)
return {granted, tostring(rate)}
