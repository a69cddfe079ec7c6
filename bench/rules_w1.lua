-- W1 in Lua 5.4 (bench/lua_bench.cpp embeds it): the same fused one-pass loop as the
-- hand-written C++ (bench/hand_rules.hpp), over arrays the host filled. Returns, per
-- rule, the fire count and the sum of the 0-based positions where it fired.
function run(russell, spx, tga, alts, n)
  local count = {0, 0, 0, 0}
  local sum = {0, 0, 0, 0}
  local prev = {false, false, false, false}
  local function edge(r, now, pos)
    if now and not prev[r] then
      count[r] = count[r] + 1
      sum[r] = sum[r] + pos
    end
    prev[r] = now
  end
  local fast_sum, slow_sum, prev_fast, prev_slow = 0.0, 0.0, 0.0, 0.0
  local z_sum, z_sq = 0.0, 0.0
  local any_rise, last_rise = false, 0
  local dq, head, tail = {}, 1, 0  -- monotonic deque of indices (new high over 250 bars)
  local sqrt = math.sqrt
  for i = 1, n do
    local pos = i - 1
    -- R1 russell breaks 2600 and tga falls over 28 bars
    local r = russell[i]
    edge(1, pos >= 28 and r > 2600 and russell[i - 1] <= 2600 and tga[i] < tga[i - 28], pos)
    -- R2 sma(spx, 50 bars) crosses above sma(spx, 200 bars)
    local s = spx[i]
    if pos >= 50 then fast_sum = fast_sum - spx[i - 50] end
    fast_sum = fast_sum + s
    if pos >= 200 then slow_sum = slow_sum - spx[i - 200] end
    slow_sum = slow_sum + s
    local fast, slow = fast_sum / 50, slow_sum / 200
    edge(2, pos >= 200 and fast > slow and prev_fast <= prev_slow, pos)
    prev_fast, prev_slow = fast, slow
    -- R3 spx rises over 20 bars followed by russell outperforms spx over 20 bars within 60 bars
    local r3 = false
    if pos >= 20 then
      local outperforms = r / russell[i - 20] - 1 > s / spx[i - 20] - 1
      r3 = outperforms and any_rise and pos - last_rise <= 60
      if s > spx[i - 20] then any_rise, last_rise = true, pos end
    end
    edge(3, r3, pos)
    -- R4 alts hits new high over 250 bars and zscore(russell, 100 bars) > 1
    local a = alts[i]
    while head <= tail and dq[head] + 250 < i do head = head + 1 end
    local new_high = pos >= 250 and a > alts[dq[head]]
    while head <= tail and alts[dq[tail]] <= a do tail = tail - 1 end
    tail = tail + 1
    dq[tail] = i
    if pos >= 100 then
      local old = russell[i - 100]
      z_sum = z_sum - old
      z_sq = z_sq - old * old
    end
    z_sum = z_sum + r
    z_sq = z_sq + r * r
    local r4 = false
    if new_high then
      local mean = z_sum / 100
      local var = (z_sq - z_sum * mean) / 99
      r4 = var > 0 and (r - mean) / sqrt(var) > 1
    end
    edge(4, r4, pos)
  end
  return count[1], sum[1], count[2], sum[2], count[3], sum[3], count[4], sum[4]
end
