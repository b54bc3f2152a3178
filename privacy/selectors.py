from privacy.models import Erasure


def erasure_list(*, organization):
    return Erasure.objects.filter(organization=organization).order_by("-created_at", "-id")
