// The load's zone parser (zone-text.ts) against the general path it replaces: JSON.parse + validation
// (parseZoneText). The same zone, the same EWKB, the same errors.
import { describe, expect, it } from "vitest";
import { encodeFlatMultiPolygon, encodeMultiPolygon, SRID_WEB_MERCATOR, SRID_WGS84 } from "../../geometry/ewkb.ts";
import { parseZoneText, type ZoneText } from "../reader.ts";
import { findGeometryValue, ZoneTextParser } from "../zone-text.ts";
import { sampleZones } from "./sample-zones.ts";

const NAME = "zones.jsonl";
const text = (s: string, line = 7): ZoneText => ({ bytes: Buffer.from(s), index: line - 1, line, offset: 0 });

/**
 * Parses a zone text with ZoneTextParser and with the general path, and checks that they agree: the same zone
 * (but for the fast path's geometry, which comes as flat rings) and the same EWKB, unprojected and projected
 * (what the load stores). Returns whether the geometry came as flat rings.
 */
function parseBothWays(s: string): boolean {
  const parsed = new ZoneTextParser(NAME).parse(text(s));
  const general = parseZoneText(text(s), NAME);
  if (!parsed.flat) {
    expect(parsed.zone).toEqual(general);
    return false;
  }
  expect(parsed.zone.geometry).toBeNull();
  // labels kept as their text: the same object once parsed, and the zone's own is empty
  const labels = parsed.labels ? JSON.parse(parsed.labels.toString("utf8")) : parsed.zone.international_labels;
  if (parsed.labels) expect(parsed.zone.international_labels).toEqual({});
  expect({ ...parsed.zone, geometry: general.geometry, international_labels: labels }).toEqual(general);
  const coordinates = general.geometry?.coordinates;
  expect(coordinates).toBeDefined();
  for (const srid of [SRID_WGS84, SRID_WEB_MERCATOR]) {
    const fast = encodeFlatMultiPolygon(parsed.flat, srid);
    expect(fast.equals(encodeMultiPolygon(coordinates ?? [], srid))).toBe(true);
  }
  return true;
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return "no error";
}

describe("ZoneTextParser", () => {
  it("gives the same zone and the same EWKB as JSON.parse + validation, geometry first, last or spaced", () => {
    for (const z of sampleZones()) {
      const { geometry, ...rest } = z;
      for (const s of [
        JSON.stringify(z),
        JSON.stringify(z, null, 1),
        JSON.stringify({ geometry, ...rest }),
        JSON.stringify({ ...rest, geometry }),
      ]) {
        expect(parseBothWays(s)).toBe(geometry !== null);
      }
    }
  });

  it("keeps plain international labels as their JSON text, and parses any other labels as the general path does", () => {
    const zone = sampleZones()[0];
    const withLabels = (labels: string) =>
      JSON.stringify(zone).replace(/"international_labels":\{[^}]*\}/, `"international_labels":${labels}`);
    const plain = [
      '{"fr":"Luxembourg","de":"Luxemburg","ak":"Laksembɛg"}',
      ' { "fr" : "Luxembourg" ,\n "ja":"ルクセンブルク" } ',
      "{}",
      '{"a":"1","a":"2"}', // a key twice inside: JSON.parse and jsonb both keep the last value
      '{"x":"\u2028 line separator", "__proto__":"p"}',
    ];
    for (const labels of plain) {
      const s = withLabels(labels);
      const parsed = new ZoneTextParser(NAME).parse(text(s));
      expect(parsed.labels?.toString("utf8").trim(), labels).toBe(labels.trim());
      expect(parseBothWays(s)).toBe(true);
    }
    const other = [
      '{"fr":"Lux\\u00e9mbourg"}', // an escape
      '{"fr":"tab\there"}', // a control character in a string (JSON.parse refuses it)
      '{"fr":1}', // not a string: the general path words the error
      '{"fr":["x"]}',
    ];
    for (const labels of other) {
      const s = withLabels(labels);
      const parsed = (() => {
        try {
          return new ZoneTextParser(NAME).parse(text(s));
        } catch (e) {
          return e as Error;
        }
      })();
      if (parsed instanceof Error) expect(parsed.message).toBe(errorOf(() => parseZoneText(text(s), NAME)));
      else {
        expect(parsed.labels, labels).toBeNull();
        expect(parseBothWays(s)).toBe(true);
      }
    }
    // a second international_labels key (JSON.parse keeps the last) and invalid UTF-8 (read as U+FFFD) are not cut
    const twice = withLabels('{"fr":"first"}').replace(/}$/, ',"international_labels":{"fr":"last"}}');
    expect(new ZoneTextParser(NAME).parse(text(twice)).labels).toBeNull();
    expect(parseBothWays(twice)).toBe(true);
    const bytes = Buffer.from(withLabels('{"fr":"XX"}'));
    const x = bytes.indexOf("XX");
    bytes[x] = 0xff;
    bytes[x + 1] = 0xfe;
    const parsed = new ZoneTextParser(NAME).parse({ bytes, index: 0, line: 1, offset: 0 });
    expect(parsed.labels).toBeNull();
    expect(parsed.zone.international_labels).toEqual(
      parseZoneText({ bytes, index: 0, line: 1, offset: 0 }, NAME).international_labels,
    );
  });

  it("finds only the top-level geometry key", () => {
    const s = '{"name":"geometry","tags":{"geometry":"x"},"a":["geometry"],"geometry": \t{"type":1}}';
    expect(String.fromCharCode(Buffer.from(s)[findGeometryValue(Buffer.from(s))])).toBe("{");
    expect(findGeometryValue(Buffer.from('{"name":"geometry","tags":{"geometry":{}}}'))).toBe(-1);
  });

  it("keeps JSON.parse's meaning for duplicate or escaped keys", () => {
    const z = sampleZones()[0];
    const s = JSON.stringify(z);
    for (const variant of [
      s.replace(/}$/, ',"geometry":null}'), // the last key wins: no geometry
      s.replace(/}$/, ',"geo\\u006detry":null}'),
      s.replace('"geometry":', '"geometry":null,"geometry":'),
    ]) {
      parseBothWays(variant);
    }
  });

  it("reports bad zones exactly as the general path does, with the line", () => {
    const z = sampleZones()[0];
    const s = JSON.stringify(z);
    const bad = [
      s.replace('"name":"Lëtzebuerg",', ""), // a missing field
      s.replace('"type":"MultiPolygon"', '"type":"Polygon"'),
      s.replace(/\[\[\[\[([^\]]*\]),[^\]]*\],[^\]]*\],/, "[[[[$1,"), // a ring of 3 positions
      s.replace(/"coordinates":\[\[\[\[5\.7/, '"coordinates":[[[[05.7'), // not JSON
      s.replace(/"coordinates":\[\[\[\[5\.7/, '"coordinates":[[[[1e999'), // not finite
      s.replace('"id":10', '"id":-1'),
      s.slice(0, -5), // truncated
      s.replace(/"coordinates":\[\[\[\[5\.7/, '"coordinates":[[[[5.71'), // a ring not closed
      s.replace(/"coordinates":\[\[\[\[5\.7/, '"coordinates":[[[[600'), // longitude out of range
    ];
    for (const b of bad) {
      expect(b).not.toBe(s);
      const general = errorOf(() => parseZoneText(text(b, 12), NAME));
      expect(general).toMatch(/zones\.jsonl: line 12/);
      expect(errorOf(() => new ZoneTextParser(NAME).parse(text(b, 12)))).toBe(general);
    }
    expect(errorOf(() => parseZoneText(text(bad.at(-2) as string, 12), NAME))).toBe(
      'zones.jsonl: line 12: zone #11 (relation:2171347): field "geometry": MultiPolygon polygon 0 ring 0 is not closed: it starts at [5.71, 49.4] and ends at [5.7, 49.4] (GeoJSON rings end where they start)',
    );
    expect(errorOf(() => parseZoneText(text(bad.at(-1) as string, 12), NAME))).toMatch(
      /line 12: zone #11 \(relation:2171347\): field "geometry": MultiPolygon polygon 0 ring 0 position 0 \[600, 49.4\] is out of range \(longitude -180..180, latitude -90..90\)$/,
    );
  });
});
