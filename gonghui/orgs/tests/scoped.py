"""Scoped orgs models, one row each inside a place (see core/tests/places.py)."""
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.accounts.tests.factories import PostFactory
from gonghui.core.tests.files import PDF
from gonghui.orgs import assessment, cultivation
from gonghui.orgs import assessment_schemes as schemes
from gonghui.orgs.models import (
    Assessment,
    AssessmentDimension,
    AssessmentEvidence,
    AssessmentIndicator,
    AssessmentScheme,
    CultivationCandidate,
    CultivationPlan,
    Employer,
    ImprovementTask,
    Org,
    OrgType,
)
from gonghui.orgs.tests.factories import EmployerFactory, OrgFactory


def scheme(place):
    """A published scheme of the district itself (published: not even that opens it to a sibling district)."""
    def make():
        draft = schemes.scheme_create(actor=place.cadre, owner=place.district, name="", year=2026, template=schemes.ZHUHAI)
        return schemes.scheme_publish(actor=place.cadre, scheme_id=draft.pk)
    return place.once("scheme", make)


def assessment_of(place):
    return place.once("assessment", lambda: assessment.assessment_start(actor=place.cadre, scheme=scheme(place), union=place.union))


def improvement_task(place):
    return ImprovementTask.objects.create(assessment=assessment_of(place), description="完善职代会制度", due_on="2027-03-31")


def evidence(place):
    union_cadre = place.once("union_cadre", lambda: PostFactory(org=place.union).user)  # the union's own side attaches files
    item, = assessment.evidence_add(actor=union_cadre, assessment_id=assessment_of(place).pk,
                                    uploads=[SimpleUploadedFile("章程.pdf", PDF, content_type="application/pdf")])
    return item


def plan(place):
    return place.once("plan", lambda: cultivation.plan_create(actor=place.cadre, org=place.district, year=2026, name="培育计划",
                                                             targets={"basic": 1, "intermediate": 0, "advanced": 0}))


def candidate(place):
    added, = cultivation.candidates_add(actor=place.cadre, plan_id=plan(place).pk, union_ids=[place.union.pk], aimed_level="basic")
    return added


FACTORIES = {
    Org: lambda place: OrgFactory(parent=place.town, type=OrgType.ENTERPRISE),
    Employer: lambda place: EmployerFactory(town=place.town),
    AssessmentScheme: scheme,
    AssessmentDimension: lambda place: scheme(place).dimensions.first(),
    AssessmentIndicator: lambda place: scheme(place).indicators.first(),
    Assessment: assessment_of,
    AssessmentEvidence: evidence,
    ImprovementTask: improvement_task,
    CultivationPlan: plan,
    CultivationCandidate: candidate,
}
