package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// generatedSuffix marks the generated files of the facade packages, which also hold handwritten
// code; gen/ holds generated code only.
const generatedSuffix = ".gen.go"

// Status is what Write did to one file.
type Status string

// The statuses Write reports.
const (
	Created   Status = "created"
	Updated   Status = "updated"
	Unchanged Status = "unchanged"
	Removed   Status = "removed"
)

// Written is one file Write created, updated, left alone or removed.
type Written struct {
	Path   string // under the root
	Status Status
}

// Check compares the files under root with files and describes each difference: a file that is
// stale, missing, or present but not generated (a leftover or a hand-written addition in gen/, or
// a leftover *.gen.go file in a facade package). It writes nothing.
func Check(root string, files []File) ([]string, error) {
	var diffs []string
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f.Name))
		got, err := os.ReadFile(p) //nolint:gosec // G304: a generated file's path under the -root the user named
		switch {
		case errors.Is(err, fs.ErrNotExist):
			diffs = append(diffs, "missing: "+p)
		case err != nil:
			return nil, err
		case !bytes.Equal(got, f.Data):
			diffs = append(diffs, "stale:   "+p)
		}
	}
	extra, err := extraFiles(root, files)
	if err != nil {
		return nil, err
	}
	for _, e := range extra {
		why := "not generated; gen/ holds generated code only"
		if !strings.HasPrefix(e, genDir+"/") {
			why = "a generated file the spec no longer produces"
		}
		diffs = append(diffs, "extra:   "+filepath.Join(root, filepath.FromSlash(e))+" ("+why+")")
	}
	return diffs, nil
}

// Write writes files under root. Each file is written to a temporary name and renamed, so an
// interrupted run never leaves a half-written file; a file whose content is already right is left
// alone (its modification time too), and files that are no longer generated are removed. It
// reports what it did to each file, in name order.
func Write(root string, files []File) ([]Written, error) {
	var done []Written
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f.Name))
		dir := filepath.Dir(p)
		if err := os.MkdirAll(dir, 0o755); err != nil { //nolint:gosec // G301: a source directory of the repository, readable like the rest
			return done, err
		}
		old, err := os.ReadFile(p) //nolint:gosec // G304: as in Check
		if err == nil && bytes.Equal(old, f.Data) {
			done = append(done, Written{Path: f.Name, Status: Unchanged})
			continue
		}
		status := Updated
		if errors.Is(err, fs.ErrNotExist) {
			status = Created
		}
		if err := writeAtomic(dir, p, f.Data); err != nil {
			return done, err
		}
		done = append(done, Written{Path: f.Name, Status: status})
	}
	extra, err := extraFiles(root, files)
	if err != nil {
		return done, err
	}
	for _, e := range extra {
		if err := os.Remove(filepath.Join(root, filepath.FromSlash(e))); err != nil {
			return done, err
		}
		done = append(done, Written{Path: e, Status: Removed})
	}
	slices.SortFunc(done, func(a, b Written) int { return strings.Compare(a.Path, b.Path) })
	return done, nil
}

func writeAtomic(dir, p string, data []byte) error {
	tmp, err := os.CreateTemp(dir, ".gen-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name()) // the error above is the one to report
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil { //nolint:gosec // G302: generated source, readable like every file of a checkout
		_ = os.Remove(tmp.Name()) // the error above is the one to report
		return err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		_ = os.Remove(tmp.Name()) // the error above is the one to report
		return fmt.Errorf("writing %s: %w", p, err)
	}
	return nil
}

// extraFiles lists, relative to root, the files of the output directories that the generator did
// not produce: anything in gen/, and *.gen.go files elsewhere.
func extraFiles(root string, files []File) ([]string, error) {
	want := map[string]bool{}
	dirs := map[string]bool{genDir: true}
	for _, f := range files {
		want[f.Name] = true
		dirs[path.Dir(f.Name)] = true
	}
	var extra []string
	for _, d := range slices.Sorted(mapKeys(dirs)) {
		entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(d)))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			name := d + "/" + e.Name()
			if e.IsDir() || want[name] {
				continue
			}
			if d == genDir || strings.HasSuffix(e.Name(), generatedSuffix) {
				extra = append(extra, name)
			}
		}
	}
	slices.Sort(extra)
	return extra, nil
}
