// ---
// id: cadre_pays_self
// title_zh: 经手人向本人或亲属付款
// title_en: Cadre pays self or family
// severity: high
// category: diversion
// description: >
//   The payee of a voucher is the person who approved or handled it, a member of that
//   person's household, a relative that person declared, or an enterprise any of them
//   represents (legal representative) or owns (shareholder). Name-only persons
//   (mentions) count through their entity-resolution link unless a reviewer rejected
//   it; a role carrying valid_from / valid_to must cover the payment date. One finding
//   per voucher and approver or handler; the evidence holds the payment, the payer, the
//   approval or handling, and every chain from the cadre to the payee.
// params:
//   roles:
//     type: str_list
//     default: [股东]
//     help: enterprise roles (ROLE_IN.role) that count as owning the payee
// explanation: "{cadre}作为{duties:list}经手凭证{voucher}：{payer}于{paid_date}向{payee}支付{amount:yuan}（用途：{purpose}），收款方系其{links:list}。"
// ---
// Anchored on the few thousand people who approve or handle vouchers, not on the
// county's million residents.
MATCH (:Payment)-[:APPROVED_BY|HANDLED_BY]->(o)
WITH DISTINCT o
// People close to the cadre: the cadre, a household member, or a relative the cadre
// declared (directly or as a mention resolved to the person). Far-end labels are tested
// in WHERE: written into the pattern, FalkorDB plans a scan of every Person.
MATCH pr = (o)-[:MEMBER_OF|RELATIVE_OF|RESOLVED_TO*0..2]-(q)
WITH o, pr, q, relationships(pr) AS rs
WITH o, pr, q, rs, [r IN rs | type(r)] AS ts,
     size([r IN rs WHERE type(r) = 'RELATIVE_OF' AND startNode(r) <> o]) AS backwards,
     size([r IN rs WHERE type(r) = 'RESOLVED_TO' AND coalesce(r.judgement, '') = 'rejected']) AS rejected
WHERE q:Person AND backwards = 0 AND rejected = 0
  AND (ts = [] OR ts = ['MEMBER_OF', 'MEMBER_OF'] OR ts = ['RELATIVE_OF']
       OR ts = ['RELATIVE_OF', 'RESOLVED_TO'])
WITH o, pr, q,
     CASE WHEN size(ts) = 0 THEN ''
          WHEN ts[0] = 'MEMBER_OF' THEN '同户家庭成员（' + coalesce(rs[1].relation_to_head, '成员') + '）'
          ELSE '申报的' + coalesce(rs[0].relation, '亲属') END AS rel
// What the person stands for: themselves, or an enterprise they represent or own
// (directly or through a name-only mention resolved to them). Two paths, not one:
// FalkorDB 4.16 reports the edge after a zero-length reversed segment with its ends swapped.
MATCH px = (q)<-[:RESOLVED_TO*0..1]-(x)
MATCH pf = (x)-[:LEGAL_REP_OF|ROLE_IN*0..1]->(k)
// ... paid on a voucher this very cadre approved or handled. (The WITHs keep Neo4j from
// expanding every voucher the cadre ever handled first.)
WITH o, pr, q, rel, px, pf, k
MATCH pp = (k)<-[:PAID_TO]-(pay)
WITH o, pr, q, rel, px, pf, k, pp, pay
MATCH pq = (pay)-[duty:APPROVED_BY|HANDLED_BY]->(o)
WITH o, pr, q, rel, px, pf, k, pp, pay, pq, duty, relationships(px) + relationships(pf) AS fs
WITH o, pr, q, rel, px, pf, k, pp, pay, pq, duty, [r IN fs WHERE type(r) <> 'RESOLVED_TO'] AS held,
     size([r IN fs WHERE type(r) = 'RESOLVED_TO' AND coalesce(r.judgement, '') = 'rejected']) AS rejected
WHERE pay:Payment AND rejected = 0
WITH o, pr, q, rel, px, pf, k, pp, pay, pq, duty, held[0] AS r,
     CASE WHEN size(held) = 0 THEN ''
          WHEN type(held[0]) = 'LEGAL_REP_OF' THEN '法定代表人'
          ELSE coalesce(held[0].role, '') END AS via
WITH o, pr, q, rel, px, pf, k, pp, pay, pq, duty, via,
     via = '' OR via = '法定代表人' OR via IN $roles AS counts,
     r IS NULL OR pay.paid_date IS NULL
       OR ((r.valid_from IS NULL OR r.valid_from <= pay.paid_date)
           AND (r.valid_to IS NULL OR r.valid_to >= pay.paid_date)) AS current
WHERE counts AND current
WITH pay, k, o, pp, px, pf, pr, pq, q.id_number AS qid,
     CASE type(duty) WHEN 'APPROVED_BY' THEN '审批人' ELSE '经办人' END AS dt,
     CASE
       WHEN via = '' AND rel = '' THEN '本人'
       WHEN via = '' THEN rel
       WHEN rel = '' THEN '本人担任' + via + '的企业'
       ELSE rel + q.name + '担任' + via + '的企业'
     END AS link
// Sorted before collecting so that both engines list duties and links in one order.
ORDER BY dt, link
WITH pay, k, o, pp,
     collect(DISTINCT px) + collect(DISTINCT pf) + collect(DISTINCT pr) + collect(DISTINCT pq) AS chains,
     collect(DISTINCT dt) AS duties, collect(DISTINCT link) AS links, collect(DISTINCT qid) AS qids
OPTIONAL MATCH pb = (pay)-[:PAID_BY]->(payer)
RETURN [pay.voucher_no, coalesce(k.uscc, k.id_number, k.mention_id), o.id_number] + qids AS subjects,
       [pp, pb] + chains AS evidence,
       {cadre: o.name, duties: duties, voucher: pay.voucher_no,
        payer: coalesce(payer.name, pay.payer_code), paid_date: pay.paid_date,
        payee: k.name, amount: pay.amount, purpose: coalesce(pay.purpose, '未注明'),
        links: links} AS facts
