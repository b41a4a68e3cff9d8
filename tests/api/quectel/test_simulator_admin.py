"""The Quectel simulator's admin surface over HTTP (`/_sim/quectel/...`), as scripts drive it."""

import aiohttp

from simulator.quectel import QuectelSimulator


async def test_admin_routes(quectel_sim: QuectelSimulator, session: aiohttp.ClientSession) -> None:
    """Info, a report, a fault, a device's state and a bad request, each through its route."""
    admin = f"{quectel_sim.base_url}/_sim/quectel"
    async with session.get(f"{admin}/info") as response:
        info = await response.json()
    assert info["user_domain"] == "E.SP.SIM1"
    async with session.post(
        f"{admin}/report", json={"device_id": "p11lt1/LT0001", "values": {"brightness": 5}}
    ) as response:
        assert await response.json() == {"ok": True}
    async with session.get(f"{admin}/device", params={"device_id": "p11lt1/LT0001"}) as response:
        assert (await response.json())["Values"]["brightness"] == 5
    async with session.post(f"{admin}/faults", json={"kind": "rate_limit"}) as response:
        assert response.status == 200
    async with session.get(f"{quectel_sim.api_url}/v2/enduser/enduserapi/userInfo") as response:
        assert (await response.json())["code"] == 4026
    for path, body in (
        ("faults", {"kind": "nope"}),
        ("report", {"device_id": "nope/none", "values": {}}),
        ("report", {"device_id": "p11lt1/LT0001", "values": {"brightness": 500}}),
    ):
        async with session.post(f"{admin}/{path}", json=body) as response:
            assert response.status == 400
    async with session.post(f"{admin}/reset", data="not json") as response:
        assert response.status == 400
    async with session.post(f"{admin}/reset") as response:
        assert response.status == 200
    assert quectel_sim.device_state("p11lt1/LT0001")["Values"]["brightness"] == 60  # type: ignore[index]
