def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_members_page_renders(client_for, owner, org, editor):
    response = client_for(owner).get(f"/o/{org.slug}/members/")
    assert response.status_code == 200
    assert b"editor@alpha.test" in response.content
