// ---
// id: recipient_business
// title_zh: 低保家庭成员经营企业
// title_en: Subsistence household member runs a business
// severity: high
// category: false_claims
// description: >
//   A member of a household receiving subsistence is the legal representative, a
//   shareholder or a director of an enterprise that was live during a paid month
//   (established on or before the month's end and not deregistered before its start),
//   holding the role in that month (a dated role or representation, from the registry's
//   change records, must overlap it). Kindergartens and other private non-enterprise
//   units count.
// params:
//   roles:
//     type: str_list
//     default: [股东, 执行董事, 董事, 董事长]
//     help: enterprise roles that count, besides legal representative
// explanation: "{person}（{relation}）是{enterprise}（{kind}，{established}成立）的{role}，其户在{first}至{last}期间领取{programs:list}共{total:yuan}，领取人{recipients:list}。"
// ---
MATCH (prog:Program) WHERE prog.kind = 'subsistence'
MATCH (r:Person)-[:RECEIVED]->(d:Disbursement)-[:UNDER]->(prog)
// The household once per recipient, not once per month paid: a recipient's months all
// sit on its node, and expanding it again for each one costs its whole degree each time.
WITH r, collect(d) AS ds
MATCH (r)-[:MEMBER_OF]->(h:Household)
UNWIND ds AS d
WITH h, collect(DISTINCT d) AS paid
MATCH pe = (h)<-[mo:MEMBER_OF]-(m:Person)-[rel:LEGAL_REP_OF|ROLE_IN]->(e:Enterprise)
WITH h, paid, pe, m, mo, e, rel,
     CASE WHEN type(rel) = 'LEGAL_REP_OF' THEN '法定代表人' ELSE rel.role END AS role
WHERE type(rel) = 'LEGAL_REP_OF' OR rel.role IN $roles
WITH h, pe, m, mo, e, role,
     [d IN paid WHERE (e.established IS NULL OR e.established <= d.period + '-31')
                  AND (e.deregistered IS NULL OR e.deregistered >= d.period + '-01')
                  AND (rel.valid_from IS NULL OR rel.valid_from <= d.period + '-31')
                  AND (rel.valid_to IS NULL OR rel.valid_to >= d.period + '-01')] AS hit
WHERE size(hit) > 0
UNWIND hit AS d
MATCH pr = (r:Person)-[:RECEIVED]->(d)-[:UNDER]->(prog:Program)
MATCH pm = (r)-[:MEMBER_OF]->(h)
WITH m, mo, e, collect(DISTINCT role) AS roles, collect(DISTINCT pe) AS pes,
     collect(DISTINCT r.id_number) AS rids, collect(DISTINCT r.name) AS recipients,
     collect(DISTINCT prog.name) AS programs, collect(DISTINCT pr) AS prs,
     collect(DISTINCT pm) AS pms, min(d.period) AS first, max(d.period) AS last,
     collect(DISTINCT d) AS ds
RETURN rids + [m.id_number, e.uscc] AS subjects,
       pes + prs + pms AS evidence,
       {person: m.name, relation: mo.relation_to_head, enterprise: e.name,
        kind: coalesce(e.kind, '市场主体'), established: coalesce(e.established, '成立日期不详'),
        role: reduce(s = '', x IN roles | s + CASE WHEN s = '' THEN '' ELSE '、' END + x),
        first: first, last: last, total: reduce(t = 0, x IN ds | t + x.amount),
        programs: programs, recipients: recipients} AS facts
