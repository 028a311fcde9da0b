package web

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// evidenceMemory is how much of a multipart form is held in memory; the
// rest of a file goes to a temporary file until it is read.
const evidenceMemory = 1 << 20

// isMultipart reports whether the request body is multipart/form-data.
func isMultipart(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

// evidenceUpload reads the optional evidence file (the multipart part
// "file") of a validation. No part, or an empty file input, is no file.
// Above domain.MaxEvidenceSize it says how large the file was.
func evidenceUpload(r *http.Request) (*domain.EvidenceFile, error) {
	if !isMultipart(r) {
		return nil, nil
	}
	if r.MultipartForm == nil {
		if err := r.ParseMultipartForm(evidenceMemory); err != nil {
			return nil, domain.Errorf(domain.CodeInvalid, "the form could not be read (files of up to 10 MiB are taken)")
		}
	}
	file, hdr, err := r.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) {
		return nil, nil
	}
	if err != nil {
		return nil, domain.Errorf(domain.CodeInvalid, "the evidence file could not be read")
	}
	defer file.Close()
	if hdr.Size > domain.MaxEvidenceSize {
		return nil, domain.EvidenceTooLarge(hdr.Filename, hdr.Size)
	}
	content, err := io.ReadAll(io.LimitReader(file, domain.MaxEvidenceSize+1))
	if err != nil {
		return nil, domain.Errorf(domain.CodeInvalid, "the evidence file could not be read")
	}
	return &domain.EvidenceFile{Name: hdr.Filename, ContentType: guessType(hdr.Header.Get("Content-Type"), hdr.Filename, content), Content: content}, nil
}

// guessType keeps the type the client sent unless it is missing or the
// generic octet-stream; then the file name's extension, then the content.
func guessType(sent, name string, content []byte) string {
	if sent != "" && sent != "application/octet-stream" {
		return sent
	}
	if t := mime.TypeByExtension(strings.ToLower(filepath.Ext(name))); t != "" {
		return t
	}
	return http.DetectContentType(content)
}

// writeEvidence sends an evidence file as a download: always an
// attachment, never sniffed, sandboxed should a browser render it anyway.
func writeEvidence(w http.ResponseWriter, f *domain.EvidenceFile) {
	h := w.Header()
	disp := mime.FormatMediaType("attachment", map[string]string{"filename": f.Name})
	if disp == "" {
		disp = `attachment; filename="evidence"`
	}
	h.Set("Content-Disposition", disp)
	h.Set("Content-Type", f.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Content-Length", strconv.Itoa(len(f.Content)))
	sum := sha256.Sum256(f.Content)
	if hex.EncodeToString(sum[:]) == f.SHA256 {
		h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum[:])+":") // RFC 9530
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.Content)
}

// handlePatchEvidence downloads a work item's evidence file.
func (s *Server) handlePatchEvidence(w http.ResponseWriter, r *http.Request) {
	ctx, _, err := s.tenantScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	f, err := s.st.FindPatchEvidence(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeEvidence(w, f)
}

// handleAPIPatchEvidence downloads a work item's evidence file.
func (s *Server) handleAPIPatchEvidence(w http.ResponseWriter, c *apiCall) error {
	id, err := pathID(c, "work item")
	if err != nil {
		return err
	}
	f, err := s.st.FindPatchEvidence(c.ctx, id)
	if err != nil {
		return err
	}
	writeEvidence(w, f)
	return nil
}
