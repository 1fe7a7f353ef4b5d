package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/b2bauth/stytch-b2b-go/bench/internal/benchkit"
)

// baselineClient is the comparison point of every benchmark: the same calls written by hand the
// way a careful user would write them without an SDK — net/http, encoding/json, basic auth,
// Content-Type and User-Agent headers, status check, json.NewDecoder on the body. It has no
// validation, retries, per-call deadline, body cap or redaction.
type baselineClient struct {
	hc        *http.Client
	base      string
	projectID string
	secret    string
}

func newBaselineClient(hc *http.Client, base string) *baselineClient {
	return &baselineClient{hc: hc, base: base, projectID: benchkit.ProjectID, secret: benchkit.Secret}
}

func (c *baselineClient) magicLinksAuthenticate(ctx context.Context, in *plainMagicLinksAuthenticateRequest) (*plainMagicLinksAuthenticateResponse, error) {
	var out plainMagicLinksAuthenticateResponse
	if err := c.do(ctx, http.MethodPost, benchkit.MagicLinksAuthenticatePath, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *baselineClient) discoverySend(ctx context.Context, in *plainMagicLinksEmailDiscoverySendRequest) (*plainMagicLinksEmailDiscoverySendResponse, error) {
	var out plainMagicLinksEmailDiscoverySendResponse
	if err := c.do(ctx, http.MethodPost, benchkit.DiscoverySendPath, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *baselineClient) recoveryCodesGet(ctx context.Context, orgID, memberID string) (*plainRecoveryCodesGetResponse, error) {
	var out plainRecoveryCodesGetResponse
	path := "/v1/b2b/recovery_codes/" + url.PathEscape(orgID) + "/" + url.PathEscape(memberID)
	if err := c.do(ctx, http.MethodGet, path, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *baselineClient) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	req.SetBasicAuth(c.projectID, c.secret)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", baselineUA)
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		_, _ = io.Copy(io.Discard, resp.Body)
		return fmt.Errorf("stytch: %s %s: status %d", method, path, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
