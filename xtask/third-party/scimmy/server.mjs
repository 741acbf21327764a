// A SCIM 2.0 server from the npm packages SCIMMY (resources, schemas, filters, PATCH, lists,
// bulk, discovery) and scimmy-routers (the Express routes). SCIMMY leaves storage to its
// user: the handlers below keep resources in a Map and do nothing else, so every protocol
// decision the suite judges is SCIMMY's own. Started by `cargo xtask third-party`.
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";
import {randomUUID} from "node:crypto";

const port = Number(process.env.SCIM_PORT ?? 8880);
const token = process.env.SCIM_TOKEN ?? "secret";
const NotFound = (id) => new SCIMMY.Types.Error(404, null, `Resource ${id} not found`);
// RFC 7644 §5 asks for PRECIS comparison of userName: NFKC covers the width mapping.
const fold = (s) => String(s).normalize("NFKC").toLowerCase().normalize("NFC");
const content = (row) => JSON.stringify({...row, meta: undefined});

// `uniqueAttribute` is checked as SCIMMY's schema declares it (userName uniqueness "server";
// Group displayName has none, so groups get no check).
function inMemory(resource, uniqueAttribute) {
  const rows = new Map();
  resource
    .ingress((res, instance) => {
      const previous = res.id ? rows.get(res.id) : undefined;
      if (res.id && !previous) throw NotFound(res.id);
      if (uniqueAttribute) {
        const key = fold(instance[uniqueAttribute]);
        for (const row of rows.values()) {
          if (row.id !== res.id && fold(row[uniqueAttribute]) === key) {
            throw new SCIMMY.Types.Error(409, "uniqueness", `${uniqueAttribute} is already in use`);
          }
        }
      }
      const now = new Date().toISOString();
      const row = {...JSON.parse(JSON.stringify(instance)), id: res.id ?? randomUUID(),
        meta: {created: previous?.meta.created ?? now, lastModified: now}};
      // A write that changes nothing keeps its lastModified (RFC 7644 §3.5.2.1).
      if (previous && content(previous) === content(row)) row.meta.lastModified = previous.meta.lastModified;
      rows.set(row.id, row);
      return structuredClone(row);
    })
    .egress((res) => {
      if (res.id) {
        if (!rows.has(res.id)) throw NotFound(res.id);
        return structuredClone(rows.get(res.id));
      }
      const all = [...rows.values()].map((r) => structuredClone(r));
      return res.filter ? res.filter.match(all) : all;
    })
    .degress((res) => {
      if (!rows.delete(res.id)) throw NotFound(res.id);
    });
  SCIMMY.Resources.declare(resource);
}

SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false);
inMemory(SCIMMY.Resources.User, "userName");
inMemory(SCIMMY.Resources.Group, null);
SCIMMY.Config.set({patch: true, filter: 200, sort: true});

const app = express();
app.use("/scim/v2", new SCIMMYRouters({
  type: "bearer",
  handler: (req) => {
    if (req.header("Authorization") !== `Bearer ${token}`) throw new Error("Authorization failed");
    // No User resource stands behind the token, so /Me is left to SCIMMY's "not supported".
  },
}));
app.listen(port, "127.0.0.1", () => console.log(`SCIMMY on http://127.0.0.1:${port}/scim/v2`));
