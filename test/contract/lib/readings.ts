/**
 * Where the validator reads the slice differently from a literal compile: the OrgUserResponse
 * cycle, and two upstream defects read as meant rather than as written (a doubly escaped pattern,
 * a "not returned" property still required). Each function edits a private copy of the
 * components (see deriveView in slice-schemas.ts). What real Atlas answers do beyond the slice is
 * not read here: those are the recorded deviations (recorded-deviations.ts), responses only.
 */
import type { JsonSchema } from "./slice-schemas";

/**
 * OrgUserResponse is `oneOf [OrgPendingUserResponse, OrgActiveUserResponse]` with a discriminator
 * on orgMembershipStatus, and each child is `allOf [OrgUserResponse, {...}]`. Compiled as written,
 * validating the parent enters a child, whose allOf re-enters the parent's oneOf, and so on without
 * end (ajv also rejects `discriminator.mapping` outright). The allOf is OpenAPI's inheritance idiom
 * (OAS 3.0.1 "Models with Polymorphism Support"): a child takes the parent's properties, not its
 * polymorphism. So each child refers to a copy of the parent without oneOf/discriminator, the
 * mapping is moved into an enum on each child's tag property (ajv's discriminator selects the
 * branch from those enums), and the parent keeps only the oneOf. A value that
 * the mapping does not name (say a new orgMembershipStatus) fails, as the spec's closed enum says.
 */
export function breakDiscriminatorCycles(schemas: Record<string, JsonSchema>): void {
  for (const [name, parent] of Object.entries(schemas)) {
    const discriminator = parent["discriminator"] as
      { propertyName: string; mapping?: Record<string, string> } | undefined;
    if (discriminator === undefined) continue;
    const { propertyName, mapping } = discriminator;
    if (mapping === undefined) throw new Error(`contract: ${name} discriminator has no mapping`);
    const baseName = `${name}__properties`;
    const base = { ...parent };
    delete base["oneOf"];
    delete base["discriminator"];
    schemas[baseName] = base;
    const parentRef = `#/components/schemas/${name}`;
    const tagsByChild = new Map<string, string[]>();
    for (const [tag, ref] of Object.entries(mapping)) {
      tagsByChild.set(ref, [...(tagsByChild.get(ref) ?? []), tag]);
    }
    for (const [ref, tags] of tagsByChild) {
      const child = schemas[ref.replace("#/components/schemas/", "")];
      if (child === undefined) throw new Error(`contract: ${ref} not found`);
      const allOf = (child["allOf"] as JsonSchema[] | undefined) ?? [];
      child["allOf"] = allOf.map((s) =>
        s["$ref"] === parentRef ? { $ref: `#/components/schemas/${baseName}` } : s,
      );
      const properties = (child["properties"] as Record<string, JsonSchema> | undefined) ?? {};
      child["properties"] = { ...properties, [propertyName]: { type: "string", enum: tags } };
    }
    // The parent's own keywords now reach every value through the chosen branch's allOf; keeping
    // them here too would report each error twice.
    schemas[name] = { type: "object", oneOf: parent["oneOf"], discriminator: { propertyName } };
  }
}

/**
 * A pattern the validator reads differently from the slice. The `mobileNumber` patterns
 * (CloudAppUser, OrgActiveUserResponse) are escaped twice upstream: `\\\\s*` in the JSON is the
 * regex `\\s*`, a literal backslash then any number of "s", so no real phone number (which the
 * 2023-01-01 CloudAppUser *requires*) could ever match. Read them as the single-escaped pattern
 * they were meant to be. Applied only to patterns containing a doubled `\\s`, which has no
 * sensible reading as written.
 */
export function undoDoubleEscape(pattern: string): string {
  return pattern.includes("\\\\s") ? pattern.replace(/\\\\/g, "\\") : pattern;
}

/**
 * CloudAppUser requires `password`, yet its description says "MongoDB Cloud does not return this
 * parameter except in response to creating a new MongoDB Cloud user" (not an operation of this
 * slice): the schema serves requests and responses alike without marking it writeOnly. Responses
 * follow the description: such a property is not required in them.
 */
export function notReturned(prop: JsonSchema): boolean {
  const text = prop["description"];
  return typeof text === "string" && /does not return this parameter/i.test(text);
}
