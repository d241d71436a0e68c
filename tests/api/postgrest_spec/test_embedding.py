"""Embedding from PostgREST's QuerySpec.hs, EmbedDisambiguationSpec.hs and SpreadQueriesSpec.hs.

Parents and children, many-to-many through junctions, one-to-one, embeds by
foreign-key constraint name and by column, empty embeds (``clients()``:
no output, there to filter with ``!inner``) and spreads, to-one and
to-many (PostgREST 13: each spread key becomes the array of the rows'
values).
"""

from __future__ import annotations

import pytest

from .cases import Case, check, ids

USERS = [{"id": 1, "name": "Angela Martin"}, {"id": 2, "name": "Michael Scott"}, {"id": 3, "name": "Dwight Schrute"}]
PROJECT_NAMES = [
    {"id": 1, "name": "Windows 7"},
    {"id": 2, "name": "Windows 10"},
    {"id": 3, "name": "IOS"},
    {"id": 4, "name": "OSX"},
    {"id": 5, "name": "Orphan"},
]

CASES = [
    Case(
        "/projects?id=eq.1&select=id, name, clients(*), tasks(id, name)",
        [
            {
                "id": 1,
                "name": "Windows 7",
                "clients": {"id": 1, "name": "Microsoft"},
                "tasks": [{"id": 1, "name": "Design w7"}, {"id": 2, "name": "Code w7"}],
            }
        ],
    ),
    Case(
        "/projects?select=name,client:clients(clientId:id,name)",
        [
            {"name": "Windows 7", "client": {"name": "Microsoft", "clientId": 1}},
            {"name": "Windows 10", "client": {"name": "Microsoft", "clientId": 1}},
            {"name": "IOS", "client": {"name": "Apple", "clientId": 2}},
            {"name": "OSX", "client": {"name": "Apple", "clientId": 2}},
            {"name": "Orphan", "client": None},
        ],
    ),
    Case(
        "/comments?select=*,users_tasks(userId:user_id)",
        [
            {
                "id": 1,
                "commenter_id": 1,
                "user_id": 2,
                "task_id": 6,
                "content": "Needs to be delivered ASAP",
                "users_tasks": {"userId": 2},
            }
        ],
    ),
    Case(
        "/projects?id=eq.1&select=myId:id, name, project_client:clients(*), project_tasks:tasks(id, name)",
        [
            {
                "myId": 1,
                "name": "Windows 7",
                "project_client": {"id": 1, "name": "Microsoft"},
                "project_tasks": [{"id": 1, "name": "Design w7"}, {"id": 2, "name": "Code w7"}],
            }
        ],
    ),
    Case("/projects?id=eq.1&select=id, name, clients(id)", [{"id": 1, "name": "Windows 7", "clients": {"id": 1}}]),
    Case("/projects?id=in.(1,5)&select=id,clients(id)", [{"id": 1, "clients": {"id": 1}}, {"id": 5, "clients": None}]),
    Case("/projects?id=in.(5)&select=id,tasks(id)", [{"id": 5, "tasks": []}]),
    Case(
        "/clients?id=eq.1&select=id,projects(id,tasks(id))",
        [
            {
                "id": 1,
                "projects": [{"id": 1, "tasks": [{"id": 1}, {"id": 2}]}, {"id": 2, "tasks": [{"id": 3}, {"id": 4}]}],
            }
        ],
    ),
    Case(
        "/tasks?select=id,users(id)",
        [
            {"id": 1, "users": [{"id": 1}, {"id": 3}]},
            {"id": 2, "users": [{"id": 1}]},
            {"id": 3, "users": [{"id": 1}]},
            {"id": 4, "users": [{"id": 1}]},
            {"id": 5, "users": [{"id": 2}, {"id": 3}]},
            {"id": 6, "users": [{"id": 2}]},
            {"id": 7, "users": [{"id": 2}]},
            {"id": 8, "users": []},
        ],
    ),
    Case("/tasks?id=eq.1&select=id,theUsers:users(id)", [{"id": 1, "theUsers": [{"id": 1}, {"id": 3}]}]),
    Case(
        "/users?select=id,tasks(id)",
        [
            {"id": 1, "tasks": [{"id": 1}, {"id": 2}, {"id": 3}, {"id": 4}]},
            {"id": 2, "tasks": [{"id": 5}, {"id": 6}, {"id": 7}]},
            {"id": 3, "tasks": [{"id": 1}, {"id": 5}]},
        ],
    ),
    Case(
        "/users_tasks?user_id=eq.2&task_id=eq.6&select=*, comments(content)",
        [{"user_id": 2, "task_id": 6, "comments": [{"content": "Needs to be delivered ASAP"}]}],
    ),
    # one-to-one
    Case(
        "/country?select=name,capital(name)",
        [{"name": "Afghanistan", "capital": {"name": "Kabul"}}, {"name": "Algeria", "capital": {"name": "Algiers"}}],
    ),
    Case(
        "/capital?select=name,country(name)",
        [{"name": "Kabul", "country": {"name": "Afghanistan"}}, {"name": "Algiers", "country": {"name": "Algeria"}}],
    ),
    Case(
        "/capital?select=name,country_id(name)",
        [
            {"name": "Kabul", "country_id": {"name": "Afghanistan"}},
            {"name": "Algiers", "country_id": {"name": "Algeria"}},
        ],
    ),
    Case(
        "/capital?select=name,country!country_id(name)",
        [{"name": "Kabul", "country": {"name": "Afghanistan"}}, {"name": "Algiers", "country": {"name": "Algeria"}}],
    ),
    Case(
        "/country?select=name,capital!country_id(name)",
        [{"name": "Afghanistan", "capital": {"name": "Kabul"}}, {"name": "Algeria", "capital": {"name": "Algiers"}}],
    ),
    # EmbedDisambiguationSpec: by foreign-key constraint name
    # ... from the referenced side too: the constraint's name alone embeds the rows holding the key (o2m)
    Case(
        "/users?select=id,authored:user(id,content)&order=id",
        [
            {"id": 1, "authored": [{"id": 1, "content": "Needs to be delivered ASAP"}]},
            {"id": 2, "authored": []},
            {"id": 3, "authored": []},
        ],
    ),
    Case(
        "/projects?id=in.(1,3)&select=id,name,client(id,name)",
        [
            {"id": 1, "name": "Windows 7", "client": {"id": 1, "name": "Microsoft"}},
            {"id": 3, "name": "IOS", "client": {"id": 2, "name": "Apple"}},
        ],
    ),
    Case(
        "/projects?id=in.(1,3)&select=id,name,client_id,client(id,name)",
        [
            {"id": 1, "name": "Windows 7", "client_id": 1, "client": {"id": 1, "name": "Microsoft"}},
            {"id": 3, "name": "IOS", "client_id": 2, "client": {"id": 2, "name": "Apple"}},
        ],
    ),
    Case("/comments?select=id,user(name)", [{"id": 1, "user": {"name": "Angela Martin"}}]),
    # empty embeds
    Case("/projects?select=id,name,clients()", PROJECT_NAMES),
    Case(
        "/projects?select=id,name,clients!inner()&clients.id=eq.2",
        [{"id": 3, "name": "IOS"}, {"id": 4, "name": "OSX"}],
    ),
    Case("/clients?select=id,name,projects()", [{"id": 1, "name": "Microsoft"}, {"id": 2, "name": "Apple"}]),
    Case("/clients?select=id,name,projects!inner()&projects.name=eq.IOS", [{"id": 2, "name": "Apple"}]),
    Case("/users?select=*,tasks!inner()", USERS),
    Case("/users?select=*,users_tasks(tasks(projects()))", USERS),
    Case("/users?select=*,tasks!inner()&tasks.id=eq.3", USERS[:1]),
    Case(
        "/users?select=*,tasks!inner(projects(clients()),users_tasks(),name)&tasks.id=eq.3",
        [{"id": 1, "name": "Angela Martin", "tasks": [{"name": "Design w10"}]}],
    ),
    # spreads: to-one, and to-many (arrays of the rows' values)
    Case(
        "/projects?select=name,...clients(client_name:name)&id=in.(1,5)",
        [{"name": "Windows 7", "client_name": "Microsoft"}, {"name": "Orphan", "client_name": None}],
    ),
    Case(
        "/clients?select=client:name,...projects(name)&projects.order=id",
        [
            {"client": "Microsoft", "name": ["Windows 7", "Windows 10"]},
            {"client": "Apple", "name": ["IOS", "OSX"]},
        ],
    ),
    Case(
        "/clients?select=client:name,...projects(project:name,...tasks(task:name))&id=eq.1&projects.order=id"
        "&projects.tasks.order=id",
        [
            {
                "client": "Microsoft",
                "project": ["Windows 7", "Windows 10"],
                "task": [["Design w7", "Code w7"], ["Design w10", "Code w10"]],
            }
        ],
    ),
    Case(
        "/clients?select=client:name,...projects(project:name,tasks(id))&id=eq.2&projects.order=id",
        [{"client": "Apple", "project": ["IOS", "OSX"], "tasks": [[{"id": 5}, {"id": 6}], [{"id": 7}, {"id": 8}]]}],
    ),
    Case("/clients?select=name,...projects()", [{"name": "Microsoft"}, {"name": "Apple"}]),
    Case(
        "/users?select=name,...tasks(task:name)&id=eq.3",
        [{"name": "Dwight Schrute", "task": ["Design w7", "Design IOS"]}],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
async def test_embedding_spec(spec, case: Case) -> None:
    await check(spec, case)
