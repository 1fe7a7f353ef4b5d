package b2b

import "encoding/json"

// decodeJSON decodes a success body into v. Unknown fields and unknown enum values are accepted,
// so a new API field never breaks a call.
func decodeJSON(data []byte, v any) error {
	return json.Unmarshal(data, v)
}
