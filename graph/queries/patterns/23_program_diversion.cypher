// ---
// id: program_diversion
// title_zh: 专项资金挤占挪用
// title_en: Programme money paid outside its purpose
// severity: high
// category: diversion
// description: >
//   A voucher carrying a programme's code (payments.program_code) pays someone outside
//   that programme's purpose: money of a programme for people (subsistence, extreme
//   poverty, disability, elderly, education) paid to an enterprise; or money of a works
//   programme paid to a village cadre, or a member of a cadre's household, whose post
//   governs the paying village (or its township) on the payment date. Vouchers paid after
//   `as_of` are not counted. The evidence holds the voucher, programme, payer and payee,
//   and for a cadre's household the post and the household.
// params:
//   people_kinds:
//     type: str_list
//     default: [subsistence, extreme_poverty, disability, elderly, education]
//     help: programme kinds whose money may only reach people
//   works_kinds:
//     type: str_list
//     default: [works]
//     help: programme kinds whose money may not reach the cadres who run the works
// explanation: "{payer}于{paid_date}动用{program}（{program_code}）资金向{payee}支付{amount:yuan}（凭证{voucher}，用途：{purpose}），{why}，不属该项目用途。"
// ---
MATCH (prog:Program)
WHERE prog.kind IN $people_kinds OR prog.kind IN $works_kinds
MATCH pg = (prog)<-[:FUNDED_BY]-(p:Payment)-[:PAID_TO]->(k)
WHERE p.paid_date IS NULL OR p.paid_date <= $as_of
WITH prog, pg, p, k
OPTIONAL MATCH pb = (p)-[:PAID_BY]->(payer)
WITH prog, pg, p, k, pb, payer
// A cadre governing the paying village or its township, on the payment date, who is the
// payee or lives in the payee's household.
OPTIONAL MATCH pc = (k)-[:MEMBER_OF*0..2]-(c:Person)-[h:HOLDS]->(post:Post)-[:GOVERNS]->(gov:Division)
WHERE prog.kind IN $works_kinds AND k:Person
  AND post.kind = 'village_cadre'
  AND coalesce(p.payer_code, '') STARTS WITH gov.code
  AND (h.valid_from IS NULL OR p.paid_date IS NULL OR h.valid_from <= p.paid_date)
  AND (h.valid_to IS NULL OR p.paid_date IS NULL OR h.valid_to >= p.paid_date)
WITH prog, pg, p, k, pb, payer, pc, c, post
WITH prog, pg, p, k, pb, payer, pc, c, post,
     [r IN coalesce(relationships(pc), []) WHERE type(r) = 'MEMBER_OF'] AS hops
WHERE (prog.kind IN $people_kinds AND k:Enterprise)
   OR (pc IS NOT NULL AND (size(hops) = 0 OR size(hops) = 2))
WITH prog, pg, p, k, pb, payer,
     CASE WHEN pc IS NULL THEN '收款方为企业（' + coalesce(k.kind, '市场主体') + '）'
          WHEN c = k THEN '收款方系该村' + coalesce(post.position, '村干部') + '本人'
          ELSE '收款方系' + coalesce(post.position, '村干部') + c.name + '的同户家庭成员' END AS why,
     pc, c
ORDER BY why
WITH prog, pg, p, k, pb, payer, collect(DISTINCT why) AS whys, collect(DISTINCT pc) AS pcs,
     collect(DISTINCT c.id_number) AS cadres
RETURN [p.voucher_no, coalesce(k.uscc, k.id_number, k.mention_id)] + [x IN cadres WHERE x <> coalesce(k.id_number, '')] AS subjects,
       [pg, pb] + pcs AS evidence,
       {payer: coalesce(payer.name, p.payer_code, '（付款单位不详）'),
        paid_date: coalesce(p.paid_date, '（日期不详）'), program: coalesce(prog.name, prog.program_code),
        program_code: prog.program_code, payee: coalesce(k.name, '（收款方不详）'),
        amount: p.amount, voucher: p.voucher_no, purpose: coalesce(p.purpose, '未注明'),
        why: reduce(s = '', x IN whys | s + CASE WHEN s = '' THEN '' ELSE '；' END + x)} AS facts
