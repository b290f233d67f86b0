package api

// The table in attack_gen.go is MITRE ATT&CK for ICS (technique id → name, tactic), generated
// with:
//
//	awk -F'\t' '{printf "\t\"%s\": {\"%s\", \"%s\"},\n", $1, $2, $3}' ../shared/data/attack-ics-techniques.tsv

// Technique is an ATT&CK for ICS technique.
type Technique struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Tactic string `json:"tactic"`
	URL    string `json:"url"`
}

// LookupTechnique returns the technique with that id (Name empty when unknown).
func LookupTechnique(id string) Technique {
	t := attackTechniques[id]
	return Technique{ID: id, Name: t[0], Tactic: t[1], URL: "https://attack.mitre.org/techniques/" + id + "/"}
}
