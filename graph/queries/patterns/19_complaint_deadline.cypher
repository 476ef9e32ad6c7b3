// ---
// id: complaint_deadline
// title_zh: 信访举报办理超期
// title_en: Complaint handled late
// severity: medium
// category: procedure
// description: >
//   A complaint accepted after its acceptance deadline (received + 7 days), or closed
//   after its closing deadline (accepted + 3 months, + 4 with an approved extension), or,
//   as of `as_of`, still not accepted past the acceptance deadline or still open past
//   the closing deadline. Dates after `as_of` are treated as not yet happened, so a past
//   `as_of` reproduces what was known then. One finding per complaint, naming every rule
//   it breaks with the dates and the days late. Deadlines come from graph/deadlines.py (stored by derive.py).
// explanation: "举报{complaint}（{received}收到，{channel}，涉及{village}）{violations}。"
// ---
MATCH (c:Complaint)
WHERE c.received IS NOT NULL AND c.received <= $as_of AND c.accept_due IS NOT NULL
WITH c,
     CASE WHEN c.accepted <= $as_of THEN c.accepted END AS accepted,
     CASE WHEN c.closed <= $as_of THEN c.closed END AS closed
WITH c, accepted, closed,
     accepted IS NOT NULL AND accepted > c.accept_due AS late_accept,
     accepted IS NULL AND closed IS NULL AND $as_of > c.accept_due AS not_accepted,
     accepted IS NOT NULL AND closed IS NOT NULL AND c.close_due IS NOT NULL
       AND closed > c.close_due AS late_close,
     accepted IS NOT NULL AND closed IS NULL AND c.close_due IS NOT NULL
       AND $as_of > c.close_due AS still_open
WHERE late_accept OR not_accepted OR late_close OR still_open
// Days since 1970-01-01 of each ISO date, by the civil-calendar formula (neither engine's
// date arithmetic is shared): [accept_due, close_due, accepted, closed, as_of].
WITH c, accepted, closed, late_accept, not_accepted, late_close, still_open,
     [s IN [c.accept_due, c.close_due, accepted, closed, $as_of] |
       CASE WHEN s IS NULL THEN null ELSE
         [t IN [[toInteger(left(s, 4)) - CASE WHEN toInteger(substring(s, 5, 2)) <= 2 THEN 1 ELSE 0 END,
                 toInteger(substring(s, 5, 2)), toInteger(substring(s, 8, 2))]] |
           365 * t[0] + t[0] / 4 - t[0] / 100 + t[0] / 400
           + (153 * (t[1] + CASE WHEN t[1] > 2 THEN -3 ELSE 9 END) + 2) / 5 + t[2] - 1 - 719468][0]
       END] AS day
WITH c, [x IN [
       CASE WHEN late_accept THEN '受理超期：应于' + c.accept_due + '前受理，' + accepted
            + '才受理，逾期' + toString(day[2] - day[0]) + '天' END,
       CASE WHEN not_accepted THEN '受理超期：截至' + $as_of + '仍未受理，已超过受理期限（'
            + c.accept_due + '）' + toString(day[4] - day[0]) + '天' END,
       CASE WHEN late_close THEN '办结超期：' + accepted + '受理，'
            + CASE WHEN c.extension_approved THEN '经批准延期，' ELSE '' END
            + '应于' + c.close_due + '前办结，' + closed + '才办结，逾期'
            + toString(day[3] - day[1]) + '天' END,
       CASE WHEN still_open THEN '办结超期：' + accepted + '受理，'
            + CASE WHEN c.extension_approved THEN '经批准延期，' ELSE '' END
            + '截至' + $as_of + '仍未办结，已超过办结期限（' + c.close_due + '）'
            + toString(day[4] - day[1]) + '天' END
     ] WHERE x IS NOT NULL] AS rules
OPTIONAL MATCH pv = (c)-[:IN_DIVISION]->(v:Division)
RETURN [c.complaint_id] AS subjects,
       [c, pv] AS evidence,
       {complaint: c.complaint_id, received: c.received, channel: coalesce(c.channel, '渠道不详'),
        village: coalesce(v.name, c.village_code, '未注明村社区'),
        violations: reduce(s = '', r IN rules | s + CASE WHEN s = '' THEN '' ELSE '；' END + r)} AS facts
