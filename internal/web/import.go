package web

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"time"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer/inventory"
)

// maxUpload bounds an inventory upload.
const maxUpload = 32 << 20

func (s *Server) registerImportRoutes() {
	s.handle("GET /import", s.handleImportForm)
	s.handle("POST /import", s.handleImportPreview)
	s.handle("POST /import/{id}", s.handleImportConfirm)
}

type importView struct {
	Sites    []*domain.Site
	Result   *domain.ImportResult
	Pending  string // id to confirm; "" when the file cannot be imported as chosen
	File     string
	Problems []domain.Problem
	Warnings []string
	Error    string
	Done     bool
	Shown    []domain.ImportChange // the created and updated rows shown (at most 200)
	More     int                   // rows not shown
}

// importScope scopes the request and checks the user may change devices.
func (s *Server) importScope(r *http.Request) (context.Context, page, error) {
	ctx, p, err := s.tenantScope(r)
	if err == nil && !p.Session.User.Role.Can(domain.PermEditInventory) {
		err = domain.Errorf(domain.CodeForbidden, "your role may not import devices")
	}
	return ctx, p, err
}

func (s *Server) handleImportForm(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.importScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sites, err := s.st.FindSites(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Title, p.Data = "Import devices", importView{Sites: sites}
	s.render(w, http.StatusOK, "import", p)
}

// runImport reads an upload and applies it to the store (a dry run unless
// dryRun is false).
func (s *Server) runImport(ctx context.Context, up *domain.PendingImport, dryRun bool) (*importView, error) {
	opt := inventory.Options{}
	if up.DayFirst {
		opt.Parse.DateOrder = domain.DayFirst
	}
	v := &importView{File: up.FileName}
	prep, err := inventory.Prepare(up.FileName, bytes.NewReader(up.Content), opt)
	if prep != nil {
		v.Warnings = prep.Warnings
	}
	if err != nil {
		if domain.ErrorCode(err) != domain.CodeInvalid {
			return nil, err
		}
		v.Error, v.Problems = domain.ErrorMessage(err), domain.ErrorProblems(err)
		return v, nil
	}
	// The preview always looks at every row, so it can show all problems.
	res, err := s.st.ImportDevices(ctx, &domain.ImportBatch{File: up.FileName, Records: prep.Records, DefaultSite: up.DefaultSite,
		DryRun: dryRun, SkipInvalid: dryRun || up.SkipInvalid})
	if err != nil {
		if domain.ErrorCode(err) != domain.CodeInvalid {
			return nil, err
		}
		v.Error, v.Problems = domain.ErrorMessage(err), domain.ErrorProblems(err)
		return v, nil
	}
	res.Rejected = append(prep.Problems, res.Rejected...)
	v.Result = res
	for _, row := range res.Rows {
		if row.Action == domain.ImportUnchanged {
			continue
		}
		if len(v.Shown) == 200 {
			v.More++
			continue
		}
		v.Shown = append(v.Shown, row)
	}
	return v, nil
}

func (s *Server) handleImportPreview(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.importScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		s.fail(w, r, domain.Errorf(domain.CodeInvalid, "choose a file to import (CSV, XLSX or JSON, up to 32 MB)"))
		return
	}
	content, err := io.ReadAll(io.LimitReader(file, maxUpload+1))
	file.Close()
	if err != nil || len(content) > maxUpload {
		s.fail(w, r, domain.Errorf(domain.CodeInvalid, "the file is larger than 32 MB"))
		return
	}
	id, err := auth.NewToken()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	up := &domain.PendingImport{ID: id, UserID: p.Session.User.ID, FileName: filepath.Base(hdr.Filename), Content: content,
		SkipInvalid: r.PostFormValue("skip_invalid") != "", DayFirst: r.PostFormValue("day_first") != "",
		DefaultSite: r.PostFormValue("site"), ExpiresAt: time.Now().Add(time.Hour)}
	v, err := s.runImport(ctx, up, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if v.Result != nil && (len(v.Result.Rejected) == 0 || up.SkipInvalid) {
		if err := s.st.SavePendingImport(ctx, up); err != nil {
			s.fail(w, r, err)
			return
		}
		v.Pending = id
	} else {
		status = http.StatusUnprocessableEntity
	}
	if v.Result != nil {
		v.Problems = v.Result.Rejected
	}
	p.Title, p.Data = "Import preview", v
	s.render(w, status, "import", p)
}

func (s *Server) handleImportConfirm(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.importScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	up, err := s.st.FindPendingImport(ctx, r.PathValue("id"))
	if err == nil && up.UserID != p.Session.User.ID {
		err = domain.Errorf(domain.CodeNotFound, "the uploaded file is no longer here; upload it again")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.runImport(ctx, up, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.st.DeletePendingImport(ctx, up.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	v.Done = true
	if v.Result != nil {
		v.Problems = v.Result.Rejected
		s.metrics.add(`vigil_imports_total{result="ok"}`, 1)
		s.metrics.add(`vigil_import_rows_total{action="create"}`, int64(v.Result.Created))
		s.metrics.add(`vigil_import_rows_total{action="update"}`, int64(v.Result.Updated))
	} else {
		s.metrics.add(`vigil_imports_total{result="refused"}`, 1)
	}
	p.Title, p.Data = "Import", v
	s.render(w, http.StatusOK, "import", p)
}
