"""Generated REST APIs served by the real binary, over a PostgreSQL and an SQLite source: the Python
PostgREST client (pinned in requirements.txt) drives them unchanged, keys are checked against the real
peer address, schemathesis fuzzes each API's own OpenAPI document, an injection suite throws hostile
text at every parameter and header, and APIs are created, changed and deleted under load.
"""
import json
import os
import shutil
import sqlite3
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from postgrest import SyncPostgrestClient
from postgrest.exceptions import APIError

ADMIN_URL = os.environ.get("BERQENAS_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not ADMIN_URL, reason="needs the PostgreSQL cluster from scripts/test.sh")
ENGINES = ["postgresql", "sqlite"]
ROWS = [(1, "Pen", "3.50", 10, True), (2, "Book", "12.25", 0, True), (3, "Cup", "15.00", 4, False),
        (4, "Desk", None, 1, True), (5, "Lamp", "99.99", 2, True)]
PARCELS = [(1, {"to": {"city": "Oslo"}, "kg": 2, "tags": ["fragile", "gift"]}), (2, {"to": {"city": "Bergen"}, "kg": 11}),
           (3, {"to": {"city": "Oslo"}, "kg": 5, "tags": ["bulk"]})]


def psql(url, sql):
    return subprocess.run(["psql", "-qAt", "-v", "ON_ERROR_STOP=1", url, "-c", sql], capture_output=True, text=True,
                          check=True).stdout.strip()


def call(url, method="GET", body=None, headers=None, raw=None):
    """(status, headers, body text) of one request; HTTP errors are answers too."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url, method=method, data=data,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def sources(tmp_path):
    name = "api_" + uuid.uuid4().hex[:8]
    psql(ADMIN_URL, f"CREATE DATABASE {name}")
    base, _, _ = ADMIN_URL.rpartition("/")
    pg_url = f"{base}/{name}"
    values = ", ".join(f"({i}, '{n}', {p or 'NULL'}, {s}, {str(a).lower()})" for i, n, p, s, a in ROWS)
    psql(pg_url, "CREATE TABLE products (id integer PRIMARY KEY, name text NOT NULL UNIQUE, price numeric(12,2), "
                 f"stock integer DEFAULT 0, active boolean DEFAULT true); INSERT INTO products VALUES {values}")
    parcels = ", ".join(f"({i}, '{json.dumps(data)}')" for i, data in PARCELS)
    psql(pg_url, f"CREATE TABLE parcels (id integer PRIMARY KEY, data jsonb); INSERT INTO parcels VALUES {parcels}")
    lite = tmp_path / "shop.sqlite"
    with sqlite3.connect(lite) as db:
        db.execute("CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, price NUMERIC(12,2), "
                   "stock INTEGER DEFAULT 0, active BOOLEAN DEFAULT 1)")
        db.executemany("INSERT INTO products VALUES (?, ?, ?, ?, ?)",
                       [(i, n, p, s, int(a)) for i, n, p, s, a in ROWS])
        db.execute("CREATE TABLE parcels (id INTEGER PRIMARY KEY, data JSON)")
        db.executemany("INSERT INTO parcels VALUES (?, ?)", [(i, json.dumps(data)) for i, data in PARCELS])
    yield pg_url, lite
    psql(ADMIN_URL, f"DROP DATABASE {name} WITH (FORCE)")


class Site:
    """A hub with tenant `shop`, one API per engine over `products` (auth api_key) and their keys."""

    def __init__(self, hub, pg_url, lite):
        self.hub = hub
        password = (hub.data_dir / "initial-admin-password").read_text().strip()
        self.token = self.manage("POST", "/api/v1/auth/login", {"username": "admin", "password": password}, token=False)["access_token"]
        self.manage("POST", "/api/v1/tenants", {"name": "shop"})
        parts = urllib.parse.urlparse(pg_url)
        remotes = {
            "postgresql": self.manage("POST", "/api/v1/tenants/shop/remote-databases", {
                "name": "erp", "engine": "postgresql", "host": parts.hostname, "port": parts.port,
                "database": parts.path.lstrip("/"), "username": parts.username, "password": parts.password})["id"],
            "sqlite": self.manage("POST", "/api/v1/tenants/shop/remote-databases", {
                "name": "till", "engine": "sqlite", "database": str(lite)})["id"],
        }
        self.keys = {}
        self.remotes = remotes
        self.sources = {"postgresql": pg_url, "sqlite": lite}
        for engine, remote in remotes.items():
            self.define(engine, remote)
            self.keys[engine] = self.manage("POST", f"/api/v1/tenants/shop/apis/{engine}/keys",
                                            {"name": "app", "permissions": "write"})["key"]

    def define(self, name, remote, auth="api_key"):
        return self.manage("POST", "/api/v1/tenants/shop/apis", {
            "name": name, "source": {"kind": "remote_database", "id": remote}, "tables": ["*"], "auth": auth})

    def manage(self, method, path, body=None, token=True):
        status, _, text = call(self.hub.url + path, method, body, {"Authorization": "Bearer " + self.token} if token else {})
        assert status < 300, f"{method} {path}: {status} {text}"
        return json.loads(text) if text else None

    def base(self, engine):
        return f"{self.hub.url}/rest/v1/shop/{engine}"

    def client(self, engine):
        key = self.keys[engine]
        return SyncPostgrestClient(self.base(engine), headers={"apikey": key, "Authorization": f"Bearer {key}"})


def auth(site, engine):
    return {"apikey": site.keys[engine], "Authorization": "Bearer " + site.keys[engine]}


@pytest.fixture
def site(hub, sources):
    return Site(hub, *sources)


@pytest.mark.parametrize("engine", ENGINES)
def test_the_postgrest_client_works_unchanged(site, engine):
    products = site.client(engine).from_("products")

    cheap = products.select("id,name,price", count="exact").gte("price", 10).order("price", desc=True).limit(2).execute()
    assert [row["id"] for row in cheap.data] == [5, 3] and cheap.count == 3
    assert cheap.data[0]["price"] == 99.99
    active = products.select("id").eq("active", True).in_("id", [1, 2, 3, 4]).order("id").execute()
    assert [row["id"] for row in active.data] == [1, 2, 4]
    assert products.select("id").is_("price", "null").execute().data == [{"id": 4}]
    assert products.select("id").ilike("name", "%AM%").execute().data == [{"id": 5}]
    one = products.select("name").eq("id", 2).single().execute()
    assert one.data == {"name": "Book"}
    with pytest.raises(APIError) as many:
        products.select("id").single().execute()
    assert many.value.code == "PGRST116"

    made = products.insert({"id": 6, "name": "Ink", "price": "2.10"}).execute()
    assert made.data == [{"id": 6, "name": "Ink", "price": 2.1, "stock": 0, "active": True}]
    bulk = products.insert([{"id": 7, "name": "Nib"}, {"id": 8, "name": "Pad", "stock": 9}], default_to_null=False).execute()
    assert [(row["id"], row["stock"]) for row in bulk.data] == [(7, 0), (8, 9)]
    merged = products.upsert([{"id": 6, "name": "Blue ink"}, {"id": 9, "name": "Tape"}], on_conflict="id").execute()
    assert sorted((row["id"], row["name"]) for row in merged.data) == [(6, "Blue ink"), (9, "Tape")]
    with pytest.raises(APIError) as duplicate:
        products.insert({"id": 10, "name": "Pen"}).execute()
    assert duplicate.value.code == "23505"

    updated = products.update({"stock": 50}).lt("stock", 1).lte("id", 5).execute()
    assert sorted(row["id"] for row in updated.data) == [2]
    removed = products.delete().gte("id", 7).execute()
    assert sorted(row["id"] for row in removed.data) == [7, 8, 9]
    left = products.select("id,name,stock").order("id").execute().data
    assert left == [{"id": 1, "name": "Pen", "stock": 10}, {"id": 2, "name": "Book", "stock": 50}, {"id": 3, "name": "Cup", "stock": 4},
                    {"id": 4, "name": "Desk", "stock": 1}, {"id": 5, "name": "Lamp", "stock": 2}, {"id": 6, "name": "Blue ink", "stock": 0}]


@pytest.mark.parametrize("engine", ENGINES)
def test_json_paths_through_the_postgrest_client(site, engine):
    parcels = site.client(engine).from_("parcels")
    oslo = parcels.select("id,city:data->to->>city,data->tags->0,kg:data->>kg::integer").eq("data->to->>city", "Oslo") \
        .order("data->>kg", desc=True).execute()
    assert oslo.data == [{"id": 3, "city": "Oslo", "tags": "bulk", "kg": 5}, {"id": 1, "city": "Oslo", "tags": "fragile", "kg": 2}]
    assert parcels.select("id").eq("data->tags->>-1", "gift").execute().data == [{"id": 1}]
    assert parcels.select("id,data->tags").is_("data->tags", "null").execute().data == [{"id": 2, "tags": None}]
    moved = parcels.update({"data": {"to": {"city": "Tromsø"}, "kg": 11}}).eq("data->to->>city", "Bergen").execute()
    assert moved.data == [{"id": 2, "data": {"to": {"city": "Tromsø"}, "kg": 11}}]
    assert parcels.select("city:data->to->>city").eq("id", 2).single().execute().data == {"city": "Tromsø"}
    with pytest.raises(APIError) as unknown:
        parcels.select("id").eq("nothing->>a", "1").execute()
    assert unknown.value.code == "42703"
    if engine == "postgresql":  # the database's own errors, with PostgREST's statuses
        status, _, text = call(site.base(engine) + "/parcels?select=kg:data->to->>city::integer", headers=auth(site, engine))
        assert status == 400 and json.loads(text)["code"] == "22P02" and "integer" in json.loads(text)["message"], text
        status, _, text = call(site.base(engine) + "/parcels?select=data->>kg->1", headers=auth(site, engine))
        assert status == 404 and json.loads(text)["code"] == "42883", text


@pytest.mark.parametrize("engine", ENGINES)
def test_operator_modifiers_through_the_postgrest_client(site, engine):
    products = site.client(engine).from_("products")
    assert products.select("id").filter("id", "eq(any)", "{1,3,9}").order("id").execute().data == [{"id": 1}, {"id": 3}]
    assert products.select("id").filter("name", "ilike(all)", "{*e*,*n*}").order("id").execute().data == [{"id": 1}]
    assert products.select("id").filter("price", "gt(all)", "{10,12.5}").order("id").execute().data == [{"id": 3}, {"id": 5}]
    with pytest.raises(APIError) as refused:
        products.select("id").filter("id", "neq(any)", "{1}").execute()
    assert refused.value.code == "PGRST100"


@pytest.mark.parametrize("engine", ENGINES)
def test_put_upserts_the_row_its_key_names(site, engine):
    url, headers = site.base(engine) + "/products", auth(site, engine)
    wanted = {**headers, "Prefer": "return=representation"}
    status, _, text = call(url + "?id=eq.20", "PUT", {"id": 20, "name": "Clip", "price": 1.5}, wanted)
    assert status == 200 and json.loads(text) == [{"id": 20, "name": "Clip", "price": 1.5, "stock": 0, "active": True}], text
    status, _, text = call(url + "?id=eq.20", "PUT", {"id": 20, "name": "Clip two", "stock": 3}, headers)
    assert status == 204, text
    for query, body, code in [("?id=eq.21", {"id": 22, "name": "Other"}, "PGRST115"), ("?id=eq.21", {"name": "No key"}, "PGRST115"),
                              ("?name=eq.Pen", {"id": 1, "name": "Pen"}, "PGRST105"), ("?id=gt.1", {"id": 2}, "PGRST105"),
                              ("", {"id": 23, "name": "Bare"}, "PGRST105"), ("?id=eq.1&id=eq.1", {"id": 1}, "PGRST105"),
                              ("?id=eq.24&limit=1", {"id": 24, "name": "Lim"}, "PGRST114"),
                              ("?id=eq.26&columns=name", {"id": 26, "name": "Cols"}, "PGRST100"),
                              ("?id=eq.25", [{"id": 25, "name": "A"}, {"id": 25, "name": "B"}], "PGRST102")]:
        status, _, text = call(url + query, "PUT", body, headers)
        assert 400 <= status < 500 and json.loads(text)["code"] == code, (query, body, text)
    rows = site.client(engine).from_("products").select("id,name,price,stock").gte("id", 20).execute().data
    assert rows == [{"id": 20, "name": "Clip two", "price": 1.5, "stock": 3}], "the second PUT set what it named; no refused PUT wrote"


@pytest.mark.parametrize("engine", ENGINES)
def test_aggregates_only_where_the_api_allows_them(site, engine):
    products = site.client(engine).from_("products")
    with pytest.raises(APIError) as refused:
        products.select("total:price.sum()").execute()
    assert refused.value.code == "PGRST123"
    site.manage("PATCH", f"/api/v1/tenants/shop/apis/{engine}", {"aggregates": True})
    grouped = products.select("active,n:count(),stock.sum(),price.max()", count="exact").order("active").execute()
    assert [(row["active"], row["n"], row["sum"]) for row in grouped.data] == [(False, 1, 4), (True, 4, 13)], grouped.data
    assert grouped.data[1]["max"] == 99.99 and grouped.count == 2, "two groups"
    status, _, text = call(site.base(engine) + "/products?select=id,price.sum()", "POST", {"id": 30, "name": "Sum"},
                           {**auth(site, engine), "Prefer": "return=representation"})
    assert status == 400 and "aggregates" in text, text


FUNCTIONS = """
CREATE TABLE reviews (id integer PRIMARY KEY, product_id integer REFERENCES products (id), stars integer);
INSERT INTO reviews VALUES (1, 1, 5), (2, 1, 3), (3, 2, 4);
CREATE FUNCTION add(a integer, b integer DEFAULT 1) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT a + b';
CREATE FUNCTION add(a numeric, c numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT a * c';
CREATE FUNCTION cheap(max_price numeric) RETURNS SETOF products LANGUAGE sql STABLE
  AS 'SELECT * FROM products WHERE price <= max_price';
CREATE FUNCTION restock(product integer, amount integer) RETURNS products LANGUAGE sql
  AS 'UPDATE products SET stock = stock + amount WHERE id = product RETURNING *';
CREATE FUNCTION totals() RETURNS TABLE (active boolean, n bigint) LANGUAGE sql STABLE
  AS 'SELECT active, count(*) FROM products GROUP BY active';
CREATE FUNCTION echo(jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS 'SELECT $1';
CREATE FUNCTION ids(n integer) RETURNS SETOF integer LANGUAGE sql IMMUTABLE AS 'SELECT generate_series(1, n)';
CREATE FUNCTION forget(product integer) RETURNS void LANGUAGE sql AS 'DELETE FROM products WHERE id = product';
CREATE FUNCTION fail(msg text) RETURNS integer LANGUAGE plpgsql STABLE AS 'BEGIN RAISE EXCEPTION ''%'', msg; END';
CREATE FUNCTION pick(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT x';
CREATE FUNCTION pick(x text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT x';
CREATE FUNCTION restock_all(amount integer) RETURNS SETOF products LANGUAGE sql
  AS 'UPDATE products SET stock = stock + amount RETURNING *';
CREATE FUNCTION sneaky() RETURNS integer LANGUAGE sql STABLE AS 'SELECT (restock(1, 1000)).stock';
CREATE FUNCTION tally() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM products';
CREATE FUNCTION tick() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
"""


def test_functions_are_called_as_postgrest_calls_them(site):
    psql(site.sources["postgresql"], FUNCTIONS)
    with pytest.raises(AssertionError, match="functions"):
        site.manage("POST", "/api/v1/tenants/shop/apis", {"name": "fn_lite", "source": {"kind": "remote_database", "id": site.remotes["sqlite"]},
                                                          "tables": ["*"], "functions": ["*"], "auth": "api_key"})
    made = site.manage("POST", "/api/v1/tenants/shop/apis", {"name": "fn", "source": {"kind": "remote_database", "id": site.remotes["postgresql"]},
                                                             "tables": ["*"], "functions": ["*"], "auth": "api_key"})
    assert sorted(made["functions"]) == ["add", "add", "cheap", "echo", "fail", "forget", "ids", "pick", "pick", "restock", "restock_all", "sneaky", "tally", "totals"], made
    keys = {permissions: site.manage("POST", "/api/v1/tenants/shop/apis/fn/keys", {"name": permissions, "permissions": permissions})["key"]
            for permissions in ["read", "write"]}
    base = f"{site.hub.url}/rest/v1/shop/fn/rpc"
    reader = {"apikey": keys["read"], "Authorization": "Bearer " + keys["read"]}
    writer = {"apikey": keys["write"], "Authorization": "Bearer " + keys["write"]}
    client = SyncPostgrestClient(f"{site.hub.url}/rest/v1/shop/fn", headers=writer)

    assert client.rpc("add", {"a": 2, "b": 3}).execute().data == 5
    assert client.rpc("add", {"a": 2, "c": 3}).execute().data == 6, "the overload the argument names fit"
    assert call(base + "/add?a=2", headers=reader)[2] == "3", "a default fills b; GET with a read key"
    cheap = client.rpc("cheap", {"max_price": 13}).select("id,name").order("id", desc=True).execute()
    assert cheap.data == [{"id": 2, "name": "Book"}, {"id": 1, "name": "Pen"}]
    status, headers, text = call(base + "/cheap?max_price=13&select=name,reviews!inner(stars)&reviews.stars=gte.4&order=id",
                                 headers={**reader, "Prefer": "count=exact"})
    assert json.loads(text) == [{"name": "Pen", "reviews": [{"stars": 5}]}, {"name": "Book", "reviews": [{"stars": 4}]}], text
    assert headers["Content-Range"] == "0-1/2", headers
    embedded = client.rpc("cheap", {"max_price": 5}).select("name,reviews(stars)").execute()
    assert embedded.data == [{"name": "Pen", "reviews": [{"stars": 5}, {"stars": 3}]}], embedded.data
    status, _, text = call(base + "/totals?select=*,reviews(*)", headers=reader)
    assert status == 400 and json.loads(text)["code"] == "PGRST200", text
    status, headers, text = call(base + "/totals?order=active&n=gt.1", headers={**reader, "Prefer": "count=exact"})
    assert status == 200 and json.loads(text) == [{"active": True, "n": 4}] and headers["Content-Range"] == "0-0/1", (status, text)
    assert call(base + "/ids?n=4&limit=2&offset=1", headers=reader)[2] == "[2,3]"
    assert json.loads(call(base + "/echo", "POST", {"x": [1, {"y": None}]}, writer)[2]) == {"x": [1, {"y": None}]}

    assert call(base + "/tally", headers=reader)[2] == "5", "a VOLATILE function that writes nothing answers a GET"
    status, headers, text = call(base + "/cheap?select=id&order=id&limit=1", "POST", {"max_price": 100},
                                 {**writer, "Prefer": "count=exact"})
    assert status == 206 and json.loads(text) == [{"id": 1}] and headers["Content-Range"] == "0-0/4", (text, headers)
    status, headers, text = call(base + "/restock", "POST", {"product": 2, "amount": 99}, {**writer, "Prefer": "tx=rollback"})
    assert status == 200 and json.loads(text)["stock"] == 99 and headers["Preference-Applied"] == "tx=rollback", text
    restocked = client.rpc("restock", {"product": 2, "amount": 5}).execute()
    assert restocked.data["stock"] == 5 and restocked.data["name"] == "Book", "the dry run changed nothing"
    status, _, text = call(base + "/restock?product=2&amount=5", headers=writer)
    assert status == 405 and json.loads(text)["code"] == "25006", "a GET's transaction is read-only: the UPDATE fails"
    # The attack: a read key GETs a function declared STABLE that calls one that writes.
    status, _, text = call(base + "/sneaky", headers=reader)
    assert status == 405 and json.loads(text)["code"] == "25006", text
    assert site.client("postgresql").from_("products").select("stock").eq("id", 1).execute().data == [{"stock": 10}], "nothing written"
    # The same attack through a table read: a view whose column calls the writer. An API's connections read
    # read-only by default, so the GET fails before anything is written.
    psql(site.sources["postgresql"], "CREATE VIEW restocking AS SELECT id, (restock(id, 1000)).stock AS stock FROM products")
    try:
        site.manage("POST", "/api/v1/tenants/shop/apis/fn/refresh", {})
        status, _, text = call(f"{site.hub.url}/rest/v1/shop/fn/restocking?id=eq.1", headers=reader)
        assert status == 405 and json.loads(text)["code"] == "25006", text
    finally:
        psql(site.sources["postgresql"], "DROP VIEW restocking")
    assert site.client("postgresql").from_("products").select("stock").eq("id", 1).execute().data == [{"stock": 10}], "nothing written"
    # A writing function whose embeds would be read after it committed (a later failure would leave the write).
    status, _, text = call(base + "/restock_all?select=id,reviews(stars)", "POST", {"amount": 1000}, writer)
    assert status == 400 and "STABLE" in json.loads(text)["message"], text
    assert site.client("postgresql").from_("products").select("stock").eq("id", 1).execute().data == [{"stock": 10}], "nothing written"
    status, _, text = call(base + "/restock", "POST", {"product": 2, "amount": 5}, reader)
    assert status == 403, "a read key calls nothing by POST"
    status, _, text = call(base + "/forget", "POST", {"product": 5}, writer)
    assert status == 204 and text == ""
    assert [row["id"] for row in site.client("postgresql").from_("products").select("id").order("id").execute().data] == [1, 2, 3, 4]
    assert site.client("postgresql").from_("products").select("stock").eq("id", 2).execute().data == [{"stock": 5}], "one restock only"

    status, _, text = call(base + "/fail?msg=boom", headers=reader)
    assert status == 400 and json.loads(text)["code"] == "P0001" and json.loads(text)["message"] == "boom", text
    for path, body, code in [("/nothing", {}, "PGRST202"), ("/add", {"b": 1}, "PGRST202"), ("/tick", {}, "PGRST202"),
                             ("/add", {"a": "x", "b": 1}, "22P02"), ("/add", {"a": 1.5}, "22P02"), ("/add", [1, 2], "PGRST102")]:
        status, _, text = call(base + path, "POST", body, writer)
        assert 400 <= status < 500 and json.loads(text)["code"] == code, (path, body, text)
    status, _, text = call(base + "/pick", "POST", {"x": 1}, writer)
    assert status == 300 and json.loads(text)["code"] == "PGRST203", "both overloads take x"
    document = json.loads(call(f"{site.hub.url}/rest/v1/shop/fn/", headers=reader)[2])
    assert {"/rpc/add", "/rpc/cheap", "/rpc/restock"} <= set(document["paths"]) and "get" not in document["paths"]["/rpc/restock"]


@pytest.mark.parametrize("engine", ENGINES)
def test_csv_bodies_insert_rows(site, engine):
    url, headers = site.base(engine) + "/products", {**auth(site, engine), "Content-Type": "text/csv"}
    body = 'id,name,price,stock\n40,"Clip, large",1.25,\n41,Tack,NULL,7\n'
    status, _, text = call(url + "?select=id,name,price,stock", "POST", raw=body.encode(),
                           headers={**headers, "Prefer": "return=representation, missing=default"})
    assert status == 201, text
    assert json.loads(text) == [{"id": 40, "name": "Clip, large", "price": 1.25, "stock": None},
                                {"id": 41, "name": "Tack", "price": None, "stock": 7}], text
    status, _, text = call(url, "POST", raw=b"id,name\n42\n", headers=headers)
    assert status == 400 and json.loads(text)["code"] == "PGRST102" and "record 2" in json.loads(text)["details"], text
    assert site.client(engine).from_("products").select("id").gte("id", 40).execute().data == [{"id": 40}, {"id": 41}]


RELATIONS = [
    "CREATE TABLE addresses (id integer PRIMARY KEY, city text)",
    "CREATE TABLE shops (id integer PRIMARY KEY, name text, billing_id integer REFERENCES addresses (id), "
    "shipping_id integer REFERENCES addresses (id))",
    "CREATE TABLE stock (product_id integer REFERENCES products (id), shop_id integer REFERENCES shops (id), "
    "PRIMARY KEY (product_id, shop_id))",
    "INSERT INTO addresses VALUES (1, 'Oslo'), (2, 'Rome')",
    "INSERT INTO shops VALUES (1, 'North', 1, 2), (2, 'South', 2, NULL), (3, 'East', 1, 1)",
    "INSERT INTO stock VALUES (1, 1), (1, 2), (2, 1), (5, 3)",
]


@pytest.mark.parametrize("engine", ENGINES)
def test_relationships_through_the_postgrest_client(site, engine):
    """Hints, !inner with its count, many-to-many, spreads and PGRST201, on an API made after the tables."""
    if engine == "postgresql":
        psql(site.sources[engine], "; ".join(RELATIONS))
    else:
        with sqlite3.connect(site.sources[engine]) as db:
            for statement in RELATIONS:
                db.execute(statement)
    name = "rel_" + engine
    site.define(name, site.remotes[engine])
    key = site.manage("POST", f"/api/v1/tenants/shop/apis/{name}/keys", {"name": "app", "permissions": "read"})["key"]
    client = SyncPostgrestClient(f"{site.hub.url}/rest/v1/shop/{name}", headers={"apikey": key, "Authorization": f"Bearer {key}"})
    shops = client.from_("shops")

    both = shops.select("name,billing:addresses!billing_id(city),shipping:addresses!shipping_id(city)").order("id").execute()
    assert both.data == [{"name": "North", "billing": {"city": "Oslo"}, "shipping": {"city": "Rome"}},
                         {"name": "South", "billing": {"city": "Rome"}, "shipping": None},
                         {"name": "East", "billing": {"city": "Oslo"}, "shipping": {"city": "Oslo"}}]
    billed_in_oslo = shops.select("name,addresses!billing_id!inner(city)", count="exact").eq("addresses.city", "Oslo") \
        .order("id").limit(1).execute()
    assert billed_in_oslo.data == [{"name": "North", "addresses": {"city": "Oslo"}}] and billed_in_oslo.count == 2
    spread = shops.select("name,...addresses!shipping_id(city)").order("id").execute()
    assert spread.data == [{"name": "North", "city": "Rome"}, {"name": "South", "city": None}, {"name": "East", "city": "Oslo"}]
    unshipped = shops.select("name,shipping:addresses!shipping_id()").is_("shipping", "null").execute()
    assert unshipped.data == [{"name": "South"}]
    stocked = client.from_("products").select("name,shops(name)").in_("id", [1, 4]).order("id") \
        .order("name", foreign_table="shops").execute()
    assert stocked.data == [{"name": "Pen", "shops": [{"name": "North"}, {"name": "South"}]}, {"name": "Desk", "shops": []}]

    status, _, text = call(f"{site.hub.url}/rest/v1/shop/{name}/shops?select=name,addresses(city)",
                           headers={"apikey": key, "Authorization": f"Bearer {key}"})
    error = json.loads(text)
    assert status == 300 and error["code"] == "PGRST201", text
    assert sorted(entry["cardinality"] for entry in error["details"]) == ["many-to-one", "many-to-one"], text
    with pytest.raises(APIError) as missing:
        shops.select("name,addresses!nowhere(city)").execute()
    assert missing.value.code == "PGRST200"

    writer = site.manage("POST", f"/api/v1/tenants/shop/apis/{name}/keys", {"name": "writer", "permissions": "write"})["key"]
    writes = {"apikey": writer, "Authorization": f"Bearer {writer}", "Prefer": "return=representation"}
    shape = "?select=name,billing:addresses!billing_id(city),products(name)"
    status, _, text = call(f"{site.hub.url}/rest/v1/shop/{name}/shops{shape}", "POST", {"id": 4, "name": "West", "billing_id": 2}, writes)
    assert status == 201 and json.loads(text) == [{"name": "West", "billing": {"city": "Rome"}, "products": []}], text
    status, _, text = call(f"{site.hub.url}/rest/v1/shop/{name}/shops{shape}&id=eq.1", "PATCH", {"name": "Nord"}, writes)
    assert status == 200 and json.loads(text) == [{"name": "Nord", "billing": {"city": "Oslo"},
                                                   "products": [{"name": "Pen"}, {"name": "Book"}]}], text


@pytest.mark.parametrize("engine", ENGINES)
def test_write_preferences_undo_before_the_commit(site, engine):
    url, headers = site.base(engine) + "/products", auth(site, engine)
    status, answer, text = call(url + "?id=lte.2&select=id", "DELETE",
                                headers={**headers, "Prefer": "return=representation, tx=rollback"})
    assert status == 200 and json.loads(text) == [{"id": 1}, {"id": 2}], text
    assert answer["Preference-Applied"] == "return=representation, tx=rollback"
    status, _, text = call(url + "?id=lte.2", "PATCH", {"stock": 7}, {**headers, "Prefer": "handling=strict, max-affected=1"})
    assert status == 400 and json.loads(text)["code"] == "PGRST124", text
    status, _, text = call(url + "?id=lte.2", "PATCH", {"stock": 7},
                           {**headers, "Prefer": "return=representation", "Accept": "application/vnd.pgrst.object+json"})
    assert status == 406 and json.loads(text)["code"] == "PGRST116", text
    left = site.client(engine).from_("products").select("id,stock").lte("id", 2).order("id").execute().data
    assert left == [{"id": 1, "stock": 10}, {"id": 2, "stock": 0}], "nothing was changed"


def test_keys_are_checked_against_the_callers_address(site):
    url = site.base("sqlite") + "/products?select=id&id=eq.1"
    local = site.manage("POST", "/api/v1/tenants/shop/apis/sqlite/keys",
                        {"name": "office", "permissions": "read", "allowed_cidrs": ["127.0.0.0/8"]})["key"]
    elsewhere = site.manage("POST", "/api/v1/tenants/shop/apis/sqlite/keys",
                            {"name": "branch", "permissions": "read", "allowed_cidrs": ["198.18.0.0/15"]})["key"]
    assert call(url, headers={"apikey": local})[0] == 200
    status, _, text = call(url, headers={"apikey": elsewhere})
    assert status == 403 and "127.0.0.1" in text
    assert call(url)[0] == 401


def schemathesis(*args):
    command = shutil.which("schemathesis") or shutil.which("st")
    assert command, "schemathesis is not installed (scripts/install-test-deps.sh installs it)"
    return subprocess.run([command, "run", *args, "--checks", "not_a_server_error,response_schema_conformance",
                           "--max-examples", "30", "--seed", "20261127", "--no-color"], capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("engine", ENGINES)
def test_schemathesis_finds_no_error_in_each_generated_api(site, engine, tmp_path):
    headers = {"apikey": site.keys[engine]}
    status, _, document = call(site.base(engine) + "/", headers=headers)
    assert status == 200
    parsed = json.loads(document)
    assert parsed["openapi"].startswith("3.1") and set(parsed["paths"]["/products"]) == {"get", "head", "post", "put", "patch", "delete"}
    path = tmp_path / f"{engine}.json"
    path.write_text(document)
    result = schemathesis(str(path), "--url", site.base(engine), "-H", f"apikey: {site.keys[engine]}")
    assert result.returncode == 0, result.stdout[-6000:]
    assert " error " not in site.hub.log()


HOSTILE = ["'", "''", "\"", "';--", "1; DROP TABLE products; --", "/* x */", "\\", "%", "%00", "\u0000", "é\u202e",
           "😀" * 50, "x" * 20000, "(", ")", "((((", "eq.", "eq.1)", "in.(1,", "in.(\"a,b)", "not.", "is.maybe", "like.'%",
           "1 OR 1=1", "$1", "?1", "@p1", "[id]", "`id`", "id\"; --", "eq.1&or=(id.gt.0", "\r\nX-Injected: 1"]


@pytest.mark.parametrize("engine", ENGINES)
def test_hostile_input_gets_4xx_never_extra_rows_or_5xx(site, engine):
    base = site.base(engine) + "/products"
    key = {"apikey": site.keys[engine]}
    seen = []

    def check(status, text, where):
        seen.append(status)
        assert status < 500, f"{where}: {status} {text[:300]}"
        if status == 200 and text.startswith("["):
            assert len(json.loads(text)) <= 1, f"{where}: extra rows {text[:300]}"

    for value in HOSTILE:
        quoted = urllib.parse.quote(value, safe="")
        for query in [f"id=eq.{quoted}", f"name=eq.{quoted}", f"id={quoted}", f"select={quoted}", f"order={quoted}",
                      f"limit={quoted}", f"offset={quoted}", f"or=({quoted})", f"and=(id.eq.1,name.eq.{quoted})", f"{quoted}=eq.1",
                      f"id=in.({quoted})", f"name=like.{quoted}&id=eq.1", f"name=not.eq.{quoted}&id=eq.1"]:
            status, _, text = call(f"{base}?{query}", headers=key)
            check(status, text, query)
        for header in ["Range", "Prefer", "Accept", "Accept-Profile", "Range-Unit"]:
            # Control characters cannot travel in a header (the HTTP parser drops such a request); they are
            # covered in the query string and the body.
            safe = "".join(c for c in value if c >= " ").encode("latin-1", "replace").decode("latin-1")
            status, _, text = call(f"{base}?id=eq.1", headers={**key, header: safe})
            check(status, text, f"{header}: {value[:20]}")
        status, _, text = call(f"{base}?id=eq.999", "PATCH", {"name": value}, key)
        check(status, text, f"PATCH name={value[:20]}")
        status, _, text = call(f"{base}?id=eq.{quoted}", "DELETE", headers=key)
        check(status, text, f"DELETE id={value[:20]}")
        status, _, text = call(base, "POST", raw=value.encode(), headers=key)
        check(status, text, f"POST body {value[:20]}")
    status, _, text = call(f"{base}?select=id&order=id", headers=key)
    assert status == 200 and [row["id"] for row in json.loads(text)] == [1, 2, 3, 4, 5], "every row is still there"
    assert any(400 <= status < 500 for status in seen)


def test_apis_change_under_load_without_failing_a_request(site):
    url = site.base("postgresql") + "/products?select=id&id=eq.1"
    key = {"apikey": site.keys["postgresql"]}
    stop = threading.Event()
    answers = []

    def load():
        while not stop.is_set():
            status, _, text = call(url, headers=key)
            answers.append((status, text))

    workers = [threading.Thread(target=load) for _ in range(4)]
    for worker in workers:
        worker.start()
    try:
        remote = site.manage("GET", "/api/v1/tenants/shop/remote-databases")
        sqlite_id = next(item["id"] for item in (remote["items"] if isinstance(remote, dict) else remote) if item["engine"] == "sqlite")
        for round in range(5):
            site.define(f"extra{round}", sqlite_id, auth="public_read")
            assert call(site.hub.url + f"/rest/v1/shop/extra{round}/products?select=id&id=eq.2")[2] == '[{"id":2}]'
            site.manage("PATCH", f"/api/v1/tenants/shop/apis/extra{round}", {"tables": [{"name": "products", "operations": ["read"]}]})
            site.manage("POST", "/api/v1/tenants/shop/apis/postgresql/refresh")
            site.manage("DELETE", f"/api/v1/tenants/shop/apis/extra{round}")
            assert call(site.hub.url + f"/rest/v1/shop/extra{round}/products")[0] == 404
    finally:
        stop.set()
        for worker in workers:
            worker.join()
    assert len(answers) > 20
    failed = [answer for answer in answers if answer != (200, '[{"id":1}]')]
    assert not failed, failed[:5]


def test_the_cli_manages_apis_and_keys(site, cli, tmp_path):
    password = (site.hub.data_dir / "initial-admin-password").read_text().strip()
    cli("login", "--url", site.hub.url, "--username", "admin", "--password-stdin", stdin=password + "\n")
    made = json.loads(cli("api", "create", "shop", "till", "--remote", "till", "--table", "products:read", "--max-rows", "2", "--json").stdout)
    assert made["tables"][0]["operations"] == ["read"] and made["max_rows"] == 2
    assert "till" in cli("api", "list", "shop").stdout
    shown = cli("api", "show", "shop", "till").stdout
    assert "products" in shown and "id,name,price,stock,active" in shown
    key = json.loads(cli("api", "key", "create", "shop", "till", "--name", "pos", "--json").stdout)["key"]
    url = site.hub.url + "/rest/v1/shop/till/products?select=id&order=id"
    assert call(url, headers={"apikey": key})[2] == '[{"id":1},{"id":2}]'
    assert key[:12] in cli("api", "key", "list", "shop", "till").stdout
    document = tmp_path / "till.json"
    cli("api", "openapi", "shop", "till", "--out", str(document))
    assert json.loads(document.read_text())["paths"]["/products"].keys() == {"get", "head"}
    cli("api", "key", "revoke", "shop", "till", key[:12])
    assert call(url, headers={"apikey": key})[0] == 401
    cli("api", "refresh", "shop", "till")
    cli("api", "delete", "shop", "till")
    assert call(url, headers={"apikey": key})[0] == 404
    failed = cli("api", "create", "shop", "bad", "--auth", "nobody", check=False)
    assert failed.returncode != 0 and "auth" in failed.stderr
