/**
 * A device as the help desk says it on the phone: "Android のスマートフォン・Chrome", not a
 * 150-character user agent. The server keeps the user agent the device first signed in with;
 * this reads the platform and the browser out of it, and falls back to the raw text.
 */

import { ta, type AdminKey } from "./messages";

const PLATFORMS: Array<[RegExp, string | AdminKey]> = [
  [/iPad|Macintosh.*Mobile\//, "dev.iPad"],
  [/iPhone/, "dev.iPhone"],
  [/Android.*Mobile/, "dev.androidPhone"],
  [/Android/, "dev.androidTablet"],
  [/CrOS/, "Chromebook"],
  [/Windows/, "Windows"],
  [/Mac OS X|Macintosh/, "Mac"],
  [/Linux/, "Linux"],
];

const BROWSERS: Array<[RegExp, string]> = [
  [/EdgA?\//, "Edge"],
  [/SamsungBrowser\//, "Samsung Internet"],
  [/Firefox\/|FxiOS\//, "Firefox"],
  [/CriOS\/|Chrome\//, "Chrome"],
  [/Safari\//, "Safari"],
];

export function describeDevice(userAgent: string): string {
  const found = PLATFORMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const platform = found?.startsWith("dev.") ? ta(found as AdminKey) : found;
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (!platform && !browser) return userAgent.trim() || "—";
  return [platform, browser].filter(Boolean).join("・");
}
