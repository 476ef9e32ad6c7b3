// ---
// id: idle_allocation
// title_zh: 资金滞留闲置
// title_en: Allocated money held idle
// severity: medium
// category: idle
// description: >
//   Programme money allocated to a township or village (allocations.csv) and not paid
//   out within `days` days of allocation: what the programme paid to households
//   (disbursements in the division) and to payees (vouchers of the division carrying the
//   programme's code) in that window falls short of the allocation. Only allocations
//   whose window closed by `as_of` are judged, and nothing paid after `as_of` counts.
//   The finding states the idle amount and how many days the money had been held. The
//   evidence holds the allocation, its division and programme, and the vouchers paid.
// params:
//   days:
//     type: int
//     default: 90
//     help: days within which allocated money should reach households or payees
//   min_idle:
//     type: money
//     default: 100
//     help: smallest idle amount to report (fen; ignores rounding)
// explanation: "{program}资金{amount:yuan}（{allocation}）于{allocated}下达至{division}，下达后{days}天内（至{due}）仅发放{paid:yuan}，{idle:yuan}滞留未发放；截至{as_of}已下达{held}天。"
// ---
MATCH (a:Allocation)
WHERE a.allocated_day IS NOT NULL AND a.allocated <= $as_of
// The window's last day as an ISO string (both engines lack shared date arithmetic:
// days-since-epoch back to a civil date, integer arithmetic only).
WITH a, a.allocated_day + $days + 719468 AS z
WITH a, z, toInteger(z / 146097) AS era
WITH a, era, z - era * 146097 AS doe
WITH a, era, doe, toInteger((doe - toInteger(doe / 1460) + toInteger(doe / 36524) - toInteger(doe / 146096)) / 365) AS yoe
WITH a, era, yoe, doe - (365 * yoe + toInteger(yoe / 4) - toInteger(yoe / 100)) AS doy
WITH a, era, yoe, doy, toInteger((5 * doy + 2) / 153) AS mp
WITH a, yoe + era * 400 AS y0, doy - toInteger((153 * mp + 2) / 5) + 1 AS dd,
     CASE WHEN mp < 10 THEN mp + 3 ELSE mp - 9 END AS mm
WITH a, toString(y0 + CASE WHEN mm <= 2 THEN 1 ELSE 0 END) + '-'
        + CASE WHEN mm < 10 THEN '0' ELSE '' END + toString(mm) + '-'
        + CASE WHEN dd < 10 THEN '0' ELSE '' END + toString(dd) AS due
WHERE due <= $as_of
MATCH pd = (a)-[:ALLOCATED_TO]->(div:Division)
MATCH pg = (a)-[:FUNDED_BY]->(prog:Program)
// Paid to households: the programme's disbursements in the division's villages.
OPTIONAL MATCH (div)<-[:PART_OF*0..2]-(v:Division)<-[:IN_DIVISION]-(d:Disbursement)
WHERE d.program_code = a.program_code
  AND coalesce(d.paid_date, d.period + '-28') >= a.allocated
  AND coalesce(d.paid_date, d.period + '-28') <= due
WITH a, due, pd, pg, div, prog, sum(coalesce(d.amount, 0)) AS to_households
// Paid to payees: vouchers of the division (or its villages) spending the programme.
OPTIONAL MATCH (div)<-[:PART_OF*0..2]-(w:Division)<-[:PAID_BY]-(p:Payment)-[:FUNDED_BY]->(prog)
WHERE p.paid_date >= a.allocated AND p.paid_date <= due
WITH a, due, pd, pg, div, prog, to_households, collect(DISTINCT p) AS vouchers
WITH a, due, pd, pg, div, prog, vouchers,
     to_households + reduce(t = 0, x IN vouchers | t + coalesce(x.amount, 0)) AS paid
WITH a, due, pd, pg, div, prog, vouchers, paid, a.amount - paid AS idle
WHERE idle >= $min_idle
// Days held as of the as-of day (civil date to days since the epoch).
WITH a, due, pd, pg, div, prog, vouchers, paid, idle,
     toInteger(substring($as_of, 0, 4)) - CASE WHEN toInteger(substring($as_of, 5, 2)) <= 2 THEN 1 ELSE 0 END AS y,
     toInteger(substring($as_of, 5, 2)) AS m, toInteger(substring($as_of, 8, 2)) AS d
WITH a, due, pd, pg, div, prog, vouchers, paid, idle, y, d,
     toInteger(y / 400) AS era, CASE WHEN m > 2 THEN m - 3 ELSE m + 9 END AS mp
WITH a, due, pd, pg, div, prog, vouchers, paid, idle, era,
     y - era * 400 AS yoe, toInteger((153 * mp + 2) / 5) + d - 1 AS doy
WITH a, due, pd, pg, div, prog, vouchers, paid, idle,
     era * 146097 + yoe * 365 + toInteger(yoe / 4) - toInteger(yoe / 100) + doy - 719468 AS today
RETURN [a.allocation_id, div.code] AS subjects,
       [pd, pg] + vouchers AS evidence,
       {program: coalesce(prog.name, a.program_code), amount: a.amount,
        allocation: a.allocation_id, allocated: a.allocated,
        division: coalesce(div.name, div.code), days: $days, due: due, paid: paid,
        idle: idle, as_of: $as_of, held: today - a.allocated_day} AS facts,
       toFloat(idle) / a.amount AS score
