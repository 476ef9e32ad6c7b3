"""Judge entity-resolution links: this mention is (not) this person."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request

from api.deps import PresenterDep, ServicesDep, note_params, require, scope_of
from api.errors import COMMON_RESPONSES, Conflict
from api.inputs import JudgementIn
from api.models import JudgementOut
from api.policy import Cap
from api.services.lookup import find_visible
from api.users import Principal
from graph.queries.lookup import linked_persons
from graph.resolve import confirm, reject

router = APIRouter(prefix="/mentions", tags=["entity resolution"], responses=COMMON_RESPONSES)
MentionId = Annotated[str, Path(min_length=1, max_length=300, description="mention_id or ref")]
Judge = Annotated[Principal, Depends(require(Cap.JUDGE_MENTIONS))]


def _judge(
    request: Request,
    user: Principal,
    svc: Any,
    p: Any,
    mention: str,
    body: JudgementIn,
    judgement: Literal["confirmed", "rejected"],
) -> dict[str, Any]:
    note_params(request, person=body.person, note=body.note)
    scope = scope_of(user)
    m = find_visible(svc.store, svc.codec, svc.resolver, scope, mention, "Mention")
    mid = m["key"]
    if body.person:
        person = find_visible(svc.store, svc.codec, svc.resolver, scope, body.person, "Person")
    else:
        linked = linked_persons(svc.store, mid)
        if len(linked) != 1:
            raise Conflict(f"the mention has {len(linked)} linked persons; name one in 'person'")
        ref = svc.codec.encode("Person", linked[0]["key"])
        person = find_visible(svc.store, svc.codec, svc.resolver, scope, ref)
    fn = confirm if judgement == "confirmed" else reject
    fn(svc.store, str(mid), str(person["key"]), user.name, body.note or "")
    svc.resolver.clear()  # links changed: scope reach may have too
    return {"mention": p.ref("Mention", mid), "person": p.node(person), "judgement": judgement}


@router.post(
    "/{mention}/confirm",
    summary="Confirm that a name-only mention is this person (kept on every later run)",
    response_model=JudgementOut,
)
def confirm_mention(
    request: Request,
    user: Judge,
    svc: ServicesDep,
    p: PresenterDep,
    mention: MentionId,
    body: JudgementIn,
) -> dict[str, Any]:
    return _judge(request, user, svc, p, mention, body, "confirmed")


@router.post(
    "/{mention}/reject",
    summary="Reject a link: the mention is not this person, and never will be linked again",
    response_model=JudgementOut,
)
def reject_mention(
    request: Request,
    user: Judge,
    svc: ServicesDep,
    p: PresenterDep,
    mention: MentionId,
    body: JudgementIn,
) -> dict[str, Any]:
    return _judge(request, user, svc, p, mention, body, "rejected")
