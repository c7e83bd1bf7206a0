package report_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// sarifObject describes one object of the SARIF 2.1.0 schema
// (sarif-schema-2.1.0.json) as far as this writer uses it: its required
// properties and, since the schema closes these objects with
// "additionalProperties": false, every property it allows.
type sarifObject struct {
	required []string
	allowed  []string
}

var sarifSchema = map[string]sarifObject{
	"sarifLog": {required: []string{"version", "runs"}, allowed: []string{"$schema", "version", "runs", "inlineExternalProperties", "properties"}},
	"run": {required: []string{"tool"}, allowed: []string{
		"tool", "invocations", "conversion", "language", "versionControlProvenance", "originalUriBaseIds", "artifacts",
		"logicalLocations", "graphs", "results", "automationDetails", "runAggregates", "baselineGuid", "redactionTokens",
		"defaultEncoding", "defaultSourceLanguage", "newlineSequences", "columnKind", "externalPropertyFileReferences",
		"threadFlowLocations", "taxonomies", "addresses", "translations", "policies", "webRequests", "webResponses",
		"specialLocations", "properties",
	}},
	"invocation": {required: []string{"executionSuccessful"}, allowed: []string{"executionSuccessful", "commandLine", "arguments", "exitCode", "properties"}},
	"tool":       {required: []string{"driver"}, allowed: []string{"driver", "extensions", "properties"}},
	"toolComponent": {required: []string{"name"}, allowed: []string{
		"guid", "name", "organization", "product", "productSuite", "shortDescription", "fullDescription", "fullName",
		"version", "semanticVersion", "dottedQuadFileVersion", "releaseDateUtc", "downloadUri", "informationUri",
		"globalMessageStrings", "notifications", "rules", "taxa", "locations", "language", "contents",
		"isComprehensive", "localizedDataSemanticVersion", "minimumRequiredLocalizedDataSemanticVersion",
		"associatedComponent", "translationMetadata", "supportedTaxonomies", "properties",
	}},
	"reportingDescriptor": {required: []string{"id"}, allowed: []string{
		"id", "deprecatedIds", "guid", "deprecatedGuids", "name", "deprecatedNames", "shortDescription",
		"fullDescription", "messageStrings", "defaultConfiguration", "helpUri", "help", "relationships", "properties",
	}},
	"reportingConfiguration":   {allowed: []string{"enabled", "level", "rank", "parameters", "properties"}},
	"multiformatMessageString": {required: []string{"text"}, allowed: []string{"text", "markdown", "properties"}},
	"message":                  {allowed: []string{"text", "markdown", "id", "arguments", "properties"}},
	"result": {required: []string{"message"}, allowed: []string{
		"ruleId", "ruleIndex", "rule", "kind", "level", "message", "analysisTarget", "locations", "guid",
		"correlationGuid", "occurrenceCount", "partialFingerprints", "fingerprints", "stacks", "codeFlows", "graphs",
		"graphTraversals", "relatedLocations", "suppressions", "baselineState", "rank", "attachments", "hostedViewerUri",
		"workItemUris", "provenance", "fixes", "taxa", "webRequest", "webResponse", "properties",
	}},
	"location":         {allowed: []string{"id", "physicalLocation", "logicalLocations", "message", "annotations", "relationships", "properties"}},
	"physicalLocation": {allowed: []string{"address", "artifactLocation", "region", "contextRegion", "properties"}},
	"artifactLocation": {allowed: []string{"uri", "uriBaseId", "index", "description", "properties"}},
	"region": {allowed: []string{
		"startLine", "startColumn", "endLine", "endColumn", "charOffset", "charLength", "byteOffset", "byteLength",
		"snippet", "message", "sourceLanguage", "properties",
	}},
}

var (
	sarifLevels = []string{"none", "note", "warning", "error"}
	sarifKinds  = []string{"notApplicable", "pass", "fail", "review", "open", "informational"}
)

type sarifValidator struct {
	problems []string
}

func (v *sarifValidator) bad(at, format string, args ...any) {
	v.problems = append(v.problems, at+": "+fmt.Sprintf(format, args...))
}

// object checks that x is an object of the given schema definition and
// returns it.
func (v *sarifValidator) object(at, def string, x any) map[string]any {
	m, ok := x.(map[string]any)
	if !ok {
		v.bad(at, "want a %s object, got %T", def, x)
		return map[string]any{}
	}
	s := sarifSchema[def]
	for _, k := range s.required {
		if _, ok := m[k]; !ok {
			v.bad(at, "%s lacks required property %q", def, k)
		}
	}
	for k := range m {
		if !slices.Contains(s.allowed, k) {
			v.bad(at, "%s does not allow property %q", def, k)
		}
	}
	return m
}

func (v *sarifValidator) array(at string, x any) []any {
	a, ok := x.([]any)
	if !ok {
		v.bad(at, "want an array, got %T", x)
	}
	return a
}

func (v *sarifValidator) text(at string, x any) {
	m := v.object(at, "multiformatMessageString", x)
	if s, _ := m["text"].(string); strings.TrimSpace(s) == "" {
		v.bad(at, "empty text")
	}
}

func (v *sarifValidator) intAtLeast(at string, x any, least int) (int, bool) {
	f, ok := x.(float64)
	if !ok || f != float64(int(f)) || int(f) < least {
		v.bad(at, "want an integer >= %d, got %v", least, x)
		return 0, false
	}
	return int(f), true
}

func decodeSARIF(t *testing.T, out string) map[string]any {
	t.Helper()
	var log map[string]any
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatalf("SARIF is not JSON: %v", err)
	}
	return log
}

// validateSARIF checks a SARIF log against the schema's structure and
// GitHub code scanning's requirements: rules with an id, descriptions and
// help; results with a ruleId matching ruleIndex, a message, at least one
// location with a relative uri and a startLine; security-severity a number
// from 0 to 10 in a string, on rules tagged "security".
func validateSARIF(data []byte) []string {
	v := &sarifValidator{}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	log := v.object("$", "sarifLog", doc)
	if log["version"] != "2.1.0" {
		v.bad("$.version", "want 2.1.0, got %v", log["version"])
	}
	runs := v.array("$.runs", log["runs"])
	if len(runs) == 0 {
		v.bad("$.runs", "no run")
	}
	for i, x := range runs {
		v.run(fmt.Sprintf("$.runs[%d]", i), x)
	}
	return v.problems
}

func (v *sarifValidator) run(at string, x any) {
	run := v.object(at, "run", x)
	for i, inv := range v.array(at+".invocations", run["invocations"]) {
		v.object(fmt.Sprintf("%s.invocations[%d]", at, i), "invocation", inv)
	}
	tool := v.object(at+".tool", "tool", run["tool"])
	driver := v.object(at+".tool.driver", "toolComponent", tool["driver"])
	if s, _ := driver["name"].(string); s == "" {
		v.bad(at+".tool.driver.name", "empty")
	}
	var ids []string
	for i, x := range v.array(at+".tool.driver.rules", driver["rules"]) {
		ids = append(ids, v.rule(fmt.Sprintf("%s.tool.driver.rules[%d]", at, i), x, ids))
	}
	for i, x := range v.array(at+".results", run["results"]) {
		v.result(fmt.Sprintf("%s.results[%d]", at, i), x, ids)
	}
}

func (v *sarifValidator) rule(at string, x any, seen []string) string {
	rule := v.object(at, "reportingDescriptor", x)
	id, _ := rule["id"].(string)
	if id == "" || slices.Contains(seen, id) {
		v.bad(at+".id", "empty or repeated id %q", id)
	}
	for _, k := range []string{"shortDescription", "fullDescription", "help"} {
		v.text(at+"."+k, rule[k])
	}
	conf := v.object(at+".defaultConfiguration", "reportingConfiguration", rule["defaultConfiguration"])
	if lvl, ok := conf["level"].(string); ok && !slices.Contains(sarifLevels, lvl) {
		v.bad(at+".defaultConfiguration.level", "unknown level %q", lvl)
	}
	props, _ := rule["properties"].(map[string]any)
	var tags []string
	for _, t := range v.array(at+".properties.tags", props["tags"]) {
		s, ok := t.(string)
		if !ok || slices.Contains(tags, s) {
			v.bad(at+".properties.tags", "tags must be unique strings")
		}
		tags = append(tags, s)
	}
	if sev, ok := props["security-severity"]; ok {
		v.securitySeverity(at+".properties.security-severity", sev)
		if !slices.Contains(tags, "security") {
			v.bad(at+".properties.tags", "a security-severity needs the security tag")
		}
	}
	return id
}

func (v *sarifValidator) securitySeverity(at string, x any) {
	s, ok := x.(string)
	f, err := strconv.ParseFloat(s, 64)
	if !ok || err != nil || f < 0 || f > 10 {
		v.bad(at, "want a number from 0.0 to 10.0 in a string, got %v", x)
	}
}

func (v *sarifValidator) result(at string, x any, rules []string) {
	res := v.object(at, "result", x)
	msg := v.object(at+".message", "message", res["message"])
	if s, _ := msg["text"].(string); s == "" {
		v.bad(at+".message.text", "empty")
	}
	id, _ := res["ruleId"].(string)
	if idx, ok := v.intAtLeast(at+".ruleIndex", res["ruleIndex"], 0); ok && (idx >= len(rules) || rules[idx] != id) {
		v.bad(at+".ruleIndex", "index %d does not name rule %q", idx, id)
	}
	level, _ := res["level"].(string)
	kind, _ := res["kind"].(string)
	if !slices.Contains(sarifLevels, level) || !slices.Contains(sarifKinds, kind) {
		v.bad(at, "level %q or kind %q out of the schema's enums", level, kind)
	}
	if kind != "fail" && level != "none" {
		v.bad(at, "kind %q requires level none, got %q", kind, level)
	}
	if fps, ok := res["partialFingerprints"].(map[string]any); !ok || len(fps) == 0 {
		v.bad(at+".partialFingerprints", "missing")
	} else {
		for k, fp := range fps {
			if s, ok := fp.(string); !ok || s == "" {
				v.bad(at+".partialFingerprints."+k, "want a non-empty string")
			}
		}
	}
	if props, ok := res["properties"].(map[string]any); ok {
		if sev, ok := props["security-severity"]; ok {
			v.securitySeverity(at+".properties.security-severity", sev)
		}
	}
	locs := v.array(at+".locations", res["locations"])
	if len(locs) == 0 {
		v.bad(at+".locations", "code scanning needs a location")
	}
	for i, x := range locs {
		v.location(fmt.Sprintf("%s.locations[%d]", at, i), x)
	}
}

func (v *sarifValidator) location(at string, x any) {
	loc := v.object(at, "location", x)
	phys := v.object(at+".physicalLocation", "physicalLocation", loc["physicalLocation"])
	art := v.object(at+".physicalLocation.artifactLocation", "artifactLocation", phys["artifactLocation"])
	uri, _ := art["uri"].(string)
	if uri == "" || strings.HasPrefix(uri, "/") || strings.Contains(uri, "://") || strings.ContainsAny(uri, " |<>\\") {
		v.bad(at+".physicalLocation.artifactLocation.uri", "want a relative URI reference, got %q", uri)
	}
	reg, ok := phys["region"]
	if !ok {
		v.bad(at+".physicalLocation.region", "code scanning needs a region with startLine")
		return
	}
	region := v.object(at+".physicalLocation.region", "region", reg)
	start, _ := v.intAtLeast(at+".physicalLocation.region.startLine", region["startLine"], 1)
	if c, ok := region["startColumn"]; ok {
		v.intAtLeast(at+".physicalLocation.region.startColumn", c, 1)
	}
	if e, ok := region["endLine"]; ok {
		v.intAtLeast(at+".physicalLocation.region.endLine", e, start)
	}
}
