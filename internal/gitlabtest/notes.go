package gitlabtest

// Merge request notes: GET and POST /projects/:id/merge_requests/:iid/notes
// and DELETE /projects/:id/merge_requests/:iid/notes/:note_id.
//
// Facts followed (gitlab-org/gitlab lib/api/notes.rb,
// lib/api/helpers/notes_helpers.rb; docs.gitlab.com/api/notes):
//   - Every notes endpoint authenticates first, GET included: 401 without a
//     valid token, ahead of parameter validation.
//   - noteable_id (the merge request IID in the path) is an Integer
//     ("noteable_id is invalid" otherwise). The list takes order_by
//     (created_at, updated_at; default created_at), sort (asc, desc;
//     default desc), activity_filter (all_notes, only_comments,
//     only_activity; default all_notes) and offset pagination. Ordering by
//     created_at is done by ID, with ID as the tie-breaker otherwise.
//   - A merge request that does not exist or cannot be read answers 404
//     "404 MergeRequest Not Found" (not_found! with the class name).
//   - Create requires body ("body is missing"); a blank body fails the
//     note's validation and answers 400 with bad_request!, "400 Bad request
//     - Note {:note=>["can't be blank"]}", the errors hash as Ruby inspects
//     it. Success is 201 with the note. A body over 1,000,000 characters
//     fails the same way, "is too long (maximum is 1000000 characters)".
//   - Delete requires noteable_id and note_id, both Integers, in that order
//     ("note_id is invalid"); finds the merge request as above; finds the
//     note among its notes with find (RecordNotFound, "404 Not found");
//     authorizes admin_note, which the note's author and Maintainers of the
//     project have and nobody has on a system note (403 "403 Forbidden");
//     and answers 204 with no body.

import (
	"net/http"
	"slices"
	"strings"
)

func (c *call) listNotes() {
	if _, ok := c.authenticate(); !ok {
		return
	}
	v := validation{p: c.params}
	iid, ok := asInt(c.r.PathValue("iid"))
	if !ok {
		v.fail("noteable_id", "is invalid")
	}
	orderBy := v.enum("order_by", "created_at", "created_at", "updated_at")
	sort := v.enum("sort", "desc", "asc", "desc")
	filter := v.enum("activity_filter", "all_notes", "all_notes", "only_comments", "only_activity")
	page, perPage := v.pagination()
	if !v.check(c.w) {
		return
	}
	p, mr, ok := c.findNoteable(iid)
	if !ok {
		return
	}

	var notes []*Note
	for _, n := range p.notes[iid] {
		if filter == "all_notes" || (filter == "only_comments") == !n.System {
			notes = append(notes, n)
		}
	}
	slices.SortFunc(notes, func(a, b *Note) int {
		cmp := 0
		if orderBy == "updated_at" {
			cmp = a.UpdatedAt.Compare(b.UpdatedAt)
		}
		if cmp == 0 {
			cmp = a.ID - b.ID
		}
		if sort == "desc" {
			cmp = -cmp
		}
		return cmp
	})

	q := c.newLinkQuery()
	q.set("noteable_id", iid)
	q.set("order_by", orderBy)
	q.set("sort", sort)
	q.set("activity_filter", filter)
	lo, hi := c.paginate(len(notes), page, perPage, q)
	out := []noteJSON{}
	for _, n := range notes[lo:hi] {
		out = append(out, c.s.noteJSON(p, mr, n))
	}
	writeJSON(c.w, http.StatusOK, out)
}

func (c *call) createNote() {
	u, ok := c.authenticate()
	if !ok {
		return
	}
	v := validation{p: c.params}
	iid, ok := asInt(c.r.PathValue("iid"))
	if !ok {
		v.fail("noteable_id", "is invalid")
	}
	body := v.requiredString("body")
	v.optionalBool("confidential")
	if internal, ok := v.optionalBool("internal"); ok && internal {
		v.unimplemented("internal")
	}
	v.unimplemented("created_at", "merge_request_diff_head_sha")
	if !v.check(c.w) {
		return
	}
	p, mr, ok := c.findNoteable(iid)
	if !ok {
		return
	}
	if strings.TrimSpace(body) == "" {
		renderAPIError(c.w, http.StatusBadRequest, `400 Bad request - Note {:note=>["can't be blank"]}`)
		return
	}
	if len([]rune(body)) > maxNoteLength {
		renderAPIError(c.w, http.StatusBadRequest, `400 Bad request - Note {:note=>["is too long (maximum is 1000000 characters)"]}`)
		return
	}
	n := c.s.addNote(p, mr.IID, u.ID, body, false)
	writeJSON(c.w, http.StatusCreated, c.s.noteJSON(p, mr, n))
}

// maxNoteLength is the longest note body GitLab stores.
const maxNoteLength = 1_000_000

func (c *call) deleteNote() {
	u, ok := c.authenticate()
	if !ok {
		return
	}
	v := validation{p: c.params}
	iid, ok := asInt(c.r.PathValue("iid"))
	if !ok {
		v.fail("noteable_id", "is invalid")
	}
	noteID, ok := asInt(c.r.PathValue("note_id"))
	if !ok {
		v.fail("note_id", "is invalid")
	}
	if !v.check(c.w) {
		return
	}
	p, _, ok := c.findNoteable(iid)
	if !ok {
		return
	}
	i := slices.IndexFunc(p.notes[iid], func(n *Note) bool { return n.ID == noteID })
	if i < 0 {
		recordNotFound(c.w)
		return
	}
	n := p.notes[iid][i]
	if n.System || (n.AuthorID != u.ID && c.s.accessLevel(u, p) < Maintainer) {
		forbidden(c.w)
		return
	}
	p.notes[iid] = slices.Delete(p.notes[iid], i, i+1)
	c.w.WriteHeader(http.StatusNoContent)
}

// findNoteable is find_noteable for a merge request: the project, then the
// merge request, which must be readable.
func (c *call) findNoteable(iid int) (*project, *MergeRequest, bool) {
	u, ok := c.currentUser()
	if !ok {
		return nil, nil, false
	}
	p, level, ok := c.findProject(u)
	if !ok {
		return nil, nil, false
	}
	mr := p.mergeRequest(iid)
	if mr == nil || level < Reporter {
		notFound(c.w, "MergeRequest")
		return nil, nil, false
	}
	return p, mr, true
}

func (s *Server) addNote(p *project, iid, authorID int, body string, system bool) *Note {
	s.nextNoteID++
	t := now()
	n := &Note{ID: s.nextNoteID, Body: body, AuthorID: authorID, System: system, CreatedAt: t, UpdatedAt: t}
	p.notes[iid] = append(p.notes[iid], n)
	return n
}
