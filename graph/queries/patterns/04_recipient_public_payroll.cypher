// ---
// id: recipient_public_payroll
// title_zh: 低保家庭成员为财政供养人员
// title_en: Subsistence household member on the public payroll
// severity: high
// category: false_claims
// description: >
//   A member of a household receiving subsistence holds a civil-servant, public-institution
//   or other payroll post during a paid month.
// params:
//   kinds:
//     type: str_list
//     default: [civil_servant, public_institution, payroll]
//     help: post kinds that are on the public payroll
// explanation: "{person}（{relation}）自{start}起任{organisation}{position}，其户在{first}至{last}期间领取{programs:list}共{total:yuan}，领取人{recipients:list}。"
// ---
MATCH (prog:Program) WHERE prog.kind = 'subsistence'
MATCH (r:Person)-[:RECEIVED]->(d:Disbursement)-[:UNDER]->(prog)
// The household once per recipient, not once per month paid: a recipient's months all
// sit on its node, and expanding it again for each one costs its whole degree each time.
WITH r, collect(d) AS ds
MATCH (r)-[:MEMBER_OF]->(h:Household)
UNWIND ds AS d
WITH h, collect(DISTINCT d) AS paid
MATCH ph = (h)<-[mo:MEMBER_OF]-(m:Person)-[t:HOLDS]->(post:Post)
WITH h, paid, ph, m, mo, t, post WHERE post.kind IN $kinds
WITH h, ph, m, mo, t, post,
     [d IN paid WHERE (t.valid_from IS NULL OR t.valid_from <= d.period + '-31')
                  AND (t.valid_to IS NULL OR t.valid_to >= d.period + '-01')] AS hit
WHERE size(hit) > 0
UNWIND hit AS d
MATCH pr = (r:Person)-[:RECEIVED]->(d)-[:UNDER]->(prog:Program)
MATCH pm = (r)-[:MEMBER_OF]->(h)
WITH m, mo, t, post, ph,
     collect(DISTINCT r.id_number) AS rids, collect(DISTINCT r.name) AS recipients,
     collect(DISTINCT prog.name) AS programs, collect(pr) AS prs, collect(DISTINCT pm) AS pms,
     min(d.period) AS first, max(d.period) AS last, sum(d.amount) AS total
RETURN rids + [m.id_number] AS subjects,
       [ph] + prs + pms AS evidence,
       {person: m.name, relation: mo.relation_to_head, organisation: post.organisation,
        position: post.position, start: coalesce(t.valid_from, '任职日期不详'),
        first: first, last: last, total: total, programs: programs,
        recipients: recipients} AS facts
