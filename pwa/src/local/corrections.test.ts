import { describe, expect, it } from "vitest";
import { changedFields } from "./corrections";

describe("changedFields", () => {
  it("keeps only the fields whose trimmed value changed, trimmed", () => {
    const before = { name: "青木 ハナ", address: "みどり市1-2", phone: "" };
    const form = { name: " 青木 ハナ ", address: "みどり市3-4 ", phone: "" };
    expect(changedFields(before, form, ["name", "address", "phone"])).toEqual({ address: "みどり市3-4" });
  });

  it("looks only at the keys it is given", () => {
    const before: Record<"a" | "b", string> = { a: "1", b: "2" };
    expect(changedFields<"a" | "b">(before, { a: "1", b: "3" }, ["a"])).toEqual({});
  });
});
