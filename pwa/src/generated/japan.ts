/** Generated from server/japan.py by `make api-types`; do not edit. */

/** Japan's time zone: dates on screens and forms are Japan's. */
export const TIME_ZONE = "Asia/Tokyo";

/** The eras and their first days (ISO yyyy-mm-dd), newest first. */
export const ERAS = [
  { code: "reiwa", name: "令和", en: "Reiwa", start: "2019-05-01" },
  { code: "heisei", name: "平成", en: "Heisei", start: "1989-01-08" },
  { code: "showa", name: "昭和", en: "Shōwa", start: "1926-12-25" },
  { code: "taisho", name: "大正", en: "Taishō", start: "1912-07-30" },
  { code: "meiji", name: "明治", en: "Meiji", start: "1868-01-25" },
] as const;
