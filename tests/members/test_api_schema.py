from drf_spectacular.generators import SchemaGenerator


def test_the_schema_documents_the_members_operations() -> None:
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]

    assert {
        "/api/v1/members/register/",
        "/api/v1/auth/token/",
        "/api/v1/me/",
        "/api/v1/me/credit-check/",
        "/api/v1/me/eligibility/",
        "/api/v1/me/export/",
        "/api/v1/me/delete/",
    } <= set(paths)
    assert {"429", "503"} <= set(paths["/api/v1/me/credit-check/"]["post"]["responses"])
    parameters = {p["name"] for p in paths["/api/v1/me/eligibility/"]["get"]["parameters"]}
    assert {"model", "at"} <= parameters
