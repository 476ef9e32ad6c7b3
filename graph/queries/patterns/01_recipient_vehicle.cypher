// ---
// id: recipient_vehicle
// title_zh: 低保家庭拥有机动车
// title_en: Subsistence household owns a vehicle
// severity: high
// category: false_claims
// description: >
//   A member of a household that receives subsistence (低保) owns a passenger car or a
//   truck while the benefit is paid. Eligibility is judged on the common household
//   (民发〔2021〕57号). Motorcycles, agricultural tricycles, low-speed vehicles and
//   disabled persons' mobility vehicles are not counted. Ownership must overlap a paid month.
// params:
//   excluded_types:
//     type: str_list
//     default: [摩托, 三轮汽车, 低速, 残疾人, 轮椅]
//     help: vehicle types containing any of these words are not counted
// explanation: "{owner}（{relation}）名下有{vehicle_type}{plate}（{registered}登记），其户在{first}至{last}期间领取{programs:list}共{total:yuan}，领取人{recipients:list}。"
// ---
MATCH (prog:Program) WHERE prog.kind = 'subsistence'
MATCH (r:Person)-[:RECEIVED]->(d:Disbursement)-[:UNDER]->(prog)
// The household once per recipient, not once per month paid: a recipient's months all
// sit on its node, and expanding it again for each one costs its whole degree each time.
WITH r, collect(d) AS ds
MATCH (r)-[:MEMBER_OF]->(h:Household)
UNWIND ds AS d
WITH h, collect(DISTINCT d) AS paid
MATCH po = (h)<-[mo:MEMBER_OF]-(m:Person)-[o:OWNS]->(v:Vehicle)
WITH h, m, mo, o, v, po, paid,
     size([t IN $excluded_types WHERE v.vehicle_type CONTAINS t]) AS excluded
WHERE excluded = 0
WITH h, m, mo, o, v, po,
     [d IN paid WHERE (o.valid_from IS NULL OR o.valid_from <= d.period + '-31')
                  AND (o.valid_to IS NULL OR o.valid_to >= d.period + '-01')] AS hit
WHERE size(hit) > 0
UNWIND hit AS d
MATCH pr = (r:Person)-[:RECEIVED]->(d)-[:UNDER]->(prog:Program)
MATCH pm = (r)-[:MEMBER_OF]->(h)
WITH m, mo, v, o, po,
     collect(DISTINCT r.id_number) AS rids, collect(DISTINCT r.name) AS recipients,
     collect(DISTINCT prog.name) AS programs, collect(pr) AS prs, collect(DISTINCT pm) AS pms,
     min(d.period) AS first, max(d.period) AS last, sum(d.amount) AS total
RETURN rids + [m.id_number, v.plate] AS subjects,
       [po] + prs + pms AS evidence,
       {owner: m.name, relation: mo.relation_to_head, vehicle_type: v.vehicle_type,
        plate: v.plate, registered: o.valid_from, first: first, last: last, total: total,
        programs: programs, recipients: recipients} AS facts
