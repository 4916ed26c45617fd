/** The fields of a new person who gets an account by the activation mail (`NewPersonIn`). */
import { ta } from "../messages";
import { Input, Select } from "../ui";
import { EMPTY_PERSON, staffJobTypeOptions } from "./shared";

export function PersonFields({ id, value, onValue }: { id: string; value: typeof EMPTY_PERSON; onValue: (v: typeof EMPTY_PERSON) => void }) {
  const set = (k: keyof typeof EMPTY_PERSON) => (v: string) => onValue({ ...value, [k]: v });
  return (
    <>
      <Input id={`${id}-name`} label={ta("p.name")} value={value.name} onValue={set("name")} required />
      <Input id={`${id}-kana`} label={ta("p.nameKana")} value={value.nameKana} onValue={set("nameKana")} required />
      <Select id={`${id}-job`} label={ta("sm.jobType")} value={value.jobType} onValue={set("jobType")} options={staffJobTypeOptions()} required />
      <Input id={`${id}-email`} label={ta("desk.email")} type="email" value={value.email} onValue={set("email")} required />
      <Input id={`${id}-phone`} label={ta("p.phone")} type="tel" value={value.phone} onValue={set("phone")} />
    </>
  );
}
