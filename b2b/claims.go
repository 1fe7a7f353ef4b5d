package b2b

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// ErrNoMemberSession is returned by CustomClaims when there is no member session to read claims
// from, as when an authenticate call answers that MFA is still required.
var ErrNoMemberSession = errors.New("b2b: no member session (MFA or another primary factor may still be required)")

// CustomClaims decodes the custom claims of a member session into a T, typically a struct with
// json tags:
//
//	type Claims struct{ Plan string `json:"plan"` }
//	claims, err := b2b.CustomClaims[Claims](resp.MemberSession)
//
// It returns ErrNoMemberSession when session is nil, and an error naming T when the claims do not
// fit it. Unlike the official SDK's helper it never panics.
func CustomClaims[T any](session *MemberSession) (T, error) {
	var out T
	if session == nil {
		return out, ErrNoMemberSession
	}
	if len(session.CustomClaims) == 0 {
		return out, nil
	}
	data, err := json.Marshal(session.CustomClaims)
	if err != nil {
		return out, fmt.Errorf("b2b: encoding custom claims: %w", err)
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return out, fmt.Errorf("b2b: custom claims do not fit %s: %w", reflect.TypeFor[T](), err)
	}
	return out, nil
}
