package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// Check compares dir with files and describes each difference: a file that is stale, missing, or
// present in dir but not generated (a leftover or a hand-written addition). It writes nothing.
func Check(dir string, files []File) ([]string, error) {
	var diffs []string
	want := map[string]bool{}
	for _, f := range files {
		want[f.Name] = true
		path := filepath.Join(dir, f.Name)
		got, err := os.ReadFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			diffs = append(diffs, "missing: "+path)
		case err != nil:
			return nil, err
		case !bytes.Equal(got, f.Data):
			diffs = append(diffs, "stale:   "+path)
		}
	}
	extra, err := extraFiles(dir, want)
	if err != nil {
		return nil, err
	}
	for _, e := range extra {
		diffs = append(diffs, "extra:   "+filepath.Join(dir, e)+" (not generated; gen/ holds generated code only)")
	}
	return diffs, nil
}

// Write replaces dir's contents with files. Each file is written to a temporary name and renamed,
// so an interrupted run never leaves a half-written file; files that are no longer generated are
// removed.
func Write(dir string, files []File) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	want := map[string]bool{}
	for _, f := range files {
		want[f.Name] = true
		path := filepath.Join(dir, f.Name)
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, f.Data) {
			continue // leave the mtime alone
		}
		tmp, err := os.CreateTemp(dir, ".gen-*")
		if err != nil {
			return err
		}
		_, werr := tmp.Write(f.Data)
		cerr := tmp.Close()
		if err := errors.Join(werr, cerr); err != nil {
			os.Remove(tmp.Name())
			return err
		}
		if err := os.Chmod(tmp.Name(), 0o644); err != nil {
			os.Remove(tmp.Name())
			return err
		}
		if err := os.Rename(tmp.Name(), path); err != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	extra, err := extraFiles(dir, want)
	if err != nil {
		return err
	}
	for _, e := range extra {
		if err := os.Remove(filepath.Join(dir, e)); err != nil {
			return err
		}
	}
	return nil
}

func extraFiles(dir string, want map[string]bool) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var extra []string
	for _, e := range entries {
		if !want[e.Name()] {
			extra = append(extra, e.Name())
		}
	}
	slices.Sort(extra)
	return extra, nil
}
