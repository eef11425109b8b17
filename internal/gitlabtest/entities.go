package gitlabtest

// JSON representations of users, projects, branches, merge requests and
// notes.
//
// Facts followed (gitlab-org/gitlab lib/api/entities: user_basic.rb,
// branch.rb, issuable_entity.rb, merge_request_basic.rb, merge_request.rb,
// note.rb; docs.gitlab.com/api/merge_requests and /api/notes):
//   - Times are ISO 8601 in UTC with milliseconds, e.g.
//     "2022-08-17T12:46:35.053Z"; absent times are null.
//   - A merge request exposes id, iid, project_id, title, description,
//     state, created_at, updated_at, then merged_by, merge_user, merged_at,
//     closed_by, closed_at, target_branch, source_branch, user_notes_count,
//     upvotes, downvotes, author, assignees, assignee (the first assignee),
//     reviewers, source/target_project_id, labels (titles, sorted), draft,
//     imported, imported_from, work_in_progress (a deprecated copy of
//     draft), milestone, merge_when_pipeline_succeeds, merge_status,
//     detailed_merge_status, merge_after, sha, merge_commit_sha,
//     squash_commit_sha, discussion_locked, should_remove_source_branch,
//     force_remove_source_branch, prepared_at, reference, references,
//     web_url (<project web_url>/-/merge_requests/<iid>), time_stats,
//     squash, squash_on_merge, task_completion_status, has_conflicts,
//     blocking_discussions_resolved. The single-MR entity adds subscribed,
//     changes_count (a string), diff_refs, merge_error, first_contribution
//     and user.can_merge.
//   - force_remove_source_branch reflects the remove_source_branch
//     parameter and is null when it was never given; should_remove_source_
//     branch is only set when merging, so it is null here.
//   - A note exposes id, type (null for plain comments), body, attachment,
//     author, created_at, updated_at, system, noteable_id (the merge
//     request's global id), noteable_type, project_id, resolvable,
//     confidential, internal, imported, imported_from, noteable_iid and
//     commands_changes.
//   - A user (UserBasic) exposes id, username, name, state, locked,
//     avatar_url (null without an avatar or Gravatar) and web_url
//     (<host>/<username>).
//   - A branch exposes name, commit, merged, protected, developers_can_push
//     and developers_can_merge (false unless a protection rule allows
//     developers), can_push, default and web_url (<project>/-/tree/<name>).
//
// The project and current-user representations are the commonly used
// subset of Entities::Project and Entities::UserPublic (the fields
// client-go's Project and User read most), not the full entities.
// Fields that need CI (pipelines) or a repository the server was not given
// (sha, diff_refs, mergeability) are null or report a mergeable merge
// request. With SetGit, sha is the source branch's head (for a merged
// merge request, the commit merged); merged_by and merge_user are the user
// who merged, merge_commit_sha and squash_commit_sha the commits made.

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// timestamp encodes a time the way GitLab's API does.
type timestamp time.Time

func (t timestamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format("2006-01-02T15:04:05.000Z") + `"`), nil
}

func stringOrNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func timeOrNull(t time.Time) *timestamp {
	if t.IsZero() {
		return nil
	}
	ts := timestamp(t)
	return &ts
}

type userJSON struct {
	ID        int     `json:"id"`
	Username  string  `json:"username"`
	Name      string  `json:"name"`
	State     string  `json:"state"`
	Locked    bool    `json:"locked"`
	AvatarURL *string `json:"avatar_url"`
	WebURL    string  `json:"web_url"`
}

func (s *Server) userJSON(id int) *userJSON {
	u := s.users[id]
	if u == nil {
		return nil
	}
	return &userJSON{
		ID:       u.ID,
		Username: u.Username,
		Name:     u.Name,
		State:    "active",
		WebURL:   s.baseURL + "/" + u.Username,
	}
}

func (s *Server) usersJSON(ids []int) []*userJSON {
	out := []*userJSON{}
	for _, id := range ids {
		if u := s.userJSON(id); u != nil {
			out = append(out, u)
		}
	}
	return out
}

type currentUserJSON struct {
	userJSON
	CreatedAt *timestamp `json:"created_at"`
	Bot       bool       `json:"bot"`
	Email     *string    `json:"email"`
}

type namespaceJSON struct {
	ID        int     `json:"id"`
	Name      string  `json:"name"`
	Path      string  `json:"path"`
	Kind      string  `json:"kind"`
	FullPath  string  `json:"full_path"`
	ParentID  *int    `json:"parent_id"`
	AvatarURL *string `json:"avatar_url"`
	WebURL    string  `json:"web_url"`
}

type projectJSON struct {
	ID                   int                `json:"id"`
	Description          *string            `json:"description"`
	Name                 string             `json:"name"`
	NameWithNamespace    string             `json:"name_with_namespace"`
	Path                 string             `json:"path"`
	PathWithNamespace    string             `json:"path_with_namespace"`
	CreatedAt            timestamp          `json:"created_at"`
	DefaultBranch        string             `json:"default_branch"`
	TagList              []string           `json:"tag_list"`
	Topics               []string           `json:"topics"`
	SSHURLToRepo         string             `json:"ssh_url_to_repo"`
	HTTPURLToRepo        string             `json:"http_url_to_repo"`
	WebURL               string             `json:"web_url"`
	ReadmeURL            *string            `json:"readme_url"`
	ForksCount           int                `json:"forks_count"`
	AvatarURL            *string            `json:"avatar_url"`
	StarCount            int                `json:"star_count"`
	LastActivityAt       timestamp          `json:"last_activity_at"`
	Namespace            namespaceJSON      `json:"namespace"`
	Visibility           string             `json:"visibility"`
	EmptyRepo            bool               `json:"empty_repo"`
	Archived             bool               `json:"archived"`
	MergeRequestsEnabled bool               `json:"merge_requests_enabled"`
	Permissions          projectPermissions `json:"permissions"`
}

type projectPermissions struct {
	ProjectAccess *projectAccess `json:"project_access"`
	GroupAccess   *projectAccess `json:"group_access"`
}

type projectAccess struct {
	AccessLevel       int `json:"access_level"`
	NotificationLevel int `json:"notification_level"`
}

func (s *Server) projectJSON(p *project, level AccessLevel) projectJSON {
	ns := namespacePath(p.PathWithNamespace)
	host := strings.TrimPrefix(strings.TrimPrefix(s.baseURL, "http://"), "https://")
	var desc *string
	if p.Description != "" {
		desc = &p.Description
	}
	var parentID *int
	if i := strings.LastIndex(ns, "/"); i >= 0 {
		id := s.namespaces[ns[:i]]
		parentID = &id
	}
	return projectJSON{
		ID:                p.ID,
		Description:       desc,
		Name:              lastSegment(p.PathWithNamespace),
		NameWithNamespace: strings.ReplaceAll(p.PathWithNamespace, "/", " / "),
		Path:              lastSegment(p.PathWithNamespace),
		PathWithNamespace: p.PathWithNamespace,
		CreatedAt:         timestamp(p.createdAt),
		DefaultBranch:     p.DefaultBranch,
		TagList:           []string{},
		Topics:            []string{},
		SSHURLToRepo:      "git@" + host + ":" + p.PathWithNamespace + ".git",
		HTTPURLToRepo:     p.WebURL + ".git",
		WebURL:            p.WebURL,
		LastActivityAt:    timestamp(p.createdAt),
		Namespace: namespaceJSON{
			ID:       p.namespaceID,
			Name:     lastSegment(ns),
			Path:     lastSegment(ns),
			Kind:     "group",
			FullPath: ns,
			ParentID: parentID,
			WebURL:   s.baseURL + "/groups/" + ns,
		},
		Visibility:           "private",
		MergeRequestsEnabled: true,
		Permissions: projectPermissions{
			// Notification level 3 is "global", the default.
			ProjectAccess: &projectAccess{AccessLevel: int(level), NotificationLevel: 3},
		},
	}
}

type branchJSON struct {
	Name               string `json:"name"`
	Commit             any    `json:"commit"`
	Merged             bool   `json:"merged"`
	Protected          bool   `json:"protected"`
	DevelopersCanPush  bool   `json:"developers_can_push"`
	DevelopersCanMerge bool   `json:"developers_can_merge"`
	CanPush            bool   `json:"can_push"`
	Default            bool   `json:"default"`
	WebURL             string `json:"web_url"`
}

type referencesJSON struct {
	Short    string `json:"short"`
	Relative string `json:"relative"`
	Full     string `json:"full"`
}

type timeStatsJSON struct {
	TimeEstimate        int     `json:"time_estimate"`
	TotalTimeSpent      int     `json:"total_time_spent"`
	HumanTimeEstimate   *string `json:"human_time_estimate"`
	HumanTotalTimeSpent *string `json:"human_total_time_spent"`
}

type taskCompletionJSON struct {
	Count          int `json:"count"`
	CompletedCount int `json:"completed_count"`
}

type mergeRequestBasicJSON struct {
	ID                          int                `json:"id"`
	IID                         int                `json:"iid"`
	ProjectID                   int                `json:"project_id"`
	Title                       string             `json:"title"`
	Description                 string             `json:"description"`
	State                       string             `json:"state"`
	CreatedAt                   timestamp          `json:"created_at"`
	UpdatedAt                   timestamp          `json:"updated_at"`
	MergedBy                    *userJSON          `json:"merged_by"`
	MergeUser                   *userJSON          `json:"merge_user"`
	MergedAt                    *timestamp         `json:"merged_at"`
	ClosedBy                    *userJSON          `json:"closed_by"`
	ClosedAt                    *timestamp         `json:"closed_at"`
	TargetBranch                string             `json:"target_branch"`
	SourceBranch                string             `json:"source_branch"`
	UserNotesCount              int                `json:"user_notes_count"`
	Upvotes                     int                `json:"upvotes"`
	Downvotes                   int                `json:"downvotes"`
	Author                      *userJSON          `json:"author"`
	Assignees                   []*userJSON        `json:"assignees"`
	Assignee                    *userJSON          `json:"assignee"`
	Reviewers                   []*userJSON        `json:"reviewers"`
	SourceProjectID             int                `json:"source_project_id"`
	TargetProjectID             int                `json:"target_project_id"`
	Labels                      []string           `json:"labels"`
	Draft                       bool               `json:"draft"`
	Imported                    bool               `json:"imported"`
	ImportedFrom                string             `json:"imported_from"`
	WorkInProgress              bool               `json:"work_in_progress"`
	Milestone                   any                `json:"milestone"`
	MergeWhenPipelineSucceeds   bool               `json:"merge_when_pipeline_succeeds"`
	MergeStatus                 string             `json:"merge_status"`
	DetailedMergeStatus         string             `json:"detailed_merge_status"`
	MergeAfter                  *timestamp         `json:"merge_after"`
	SHA                         *string            `json:"sha"`
	MergeCommitSHA              *string            `json:"merge_commit_sha"`
	SquashCommitSHA             *string            `json:"squash_commit_sha"`
	DiscussionLocked            *bool              `json:"discussion_locked"`
	ShouldRemoveSourceBranch    *bool              `json:"should_remove_source_branch"`
	ForceRemoveSourceBranch     *bool              `json:"force_remove_source_branch"`
	PreparedAt                  *timestamp         `json:"prepared_at"`
	Reference                   string             `json:"reference"`
	References                  referencesJSON     `json:"references"`
	WebURL                      string             `json:"web_url"`
	TimeStats                   timeStatsJSON      `json:"time_stats"`
	Squash                      bool               `json:"squash"`
	SquashOnMerge               bool               `json:"squash_on_merge"`
	TaskCompletionStatus        taskCompletionJSON `json:"task_completion_status"`
	HasConflicts                bool               `json:"has_conflicts"`
	BlockingDiscussionsResolved bool               `json:"blocking_discussions_resolved"`
}

type mergeRequestJSON struct {
	mergeRequestBasicJSON
	Subscribed        bool         `json:"subscribed"`
	ChangesCount      *string      `json:"changes_count"`
	DiffRefs          diffRefsJSON `json:"diff_refs"`
	MergeError        *string      `json:"merge_error"`
	FirstContribution bool         `json:"first_contribution"`
	User              struct {
		CanMerge bool `json:"can_merge"`
	} `json:"user"`
}

type diffRefsJSON struct {
	BaseSHA  *string `json:"base_sha"`
	HeadSHA  *string `json:"head_sha"`
	StartSHA *string `json:"start_sha"`
}

func (s *Server) mergeRequestBasicJSON(p *project, mr *MergeRequest) mergeRequestBasicJSON {
	assignees := s.usersJSON(mr.AssigneeIDs)
	var assignee *userJSON
	if len(assignees) > 0 {
		assignee = assignees[0]
	}
	labels := slices.Clone(mr.Labels)
	if labels == nil {
		labels = []string{}
	}
	slices.Sort(labels)
	var closedBy *userJSON
	if mr.State == "closed" {
		closedBy = s.userJSON(mr.ClosedByID)
	}
	userNotes := 0
	for _, n := range p.notes[mr.IID] {
		if !n.System {
			userNotes++
		}
	}
	ref := "!" + strconv.Itoa(mr.IID)
	var mergedBy *userJSON
	if mr.State == "merged" {
		mergedBy = s.userJSON(mr.MergedByID)
	}
	sha := mr.HeadSHA
	if mr.State == "opened" && s.git != nil {
		sha, _ = s.git.Head(p.PathWithNamespace, mr.SourceBranch)
	}
	return mergeRequestBasicJSON{
		ID:                          mr.ID,
		IID:                         mr.IID,
		ProjectID:                   p.ID,
		Title:                       mr.Title,
		Description:                 mr.Description,
		State:                       mr.State,
		CreatedAt:                   timestamp(mr.CreatedAt),
		UpdatedAt:                   timestamp(mr.UpdatedAt),
		MergedBy:                    mergedBy,
		MergeUser:                   mergedBy,
		MergedAt:                    timeOrNull(mr.MergedAt),
		SHA:                         stringOrNull(sha),
		MergeCommitSHA:              stringOrNull(mr.MergeCommitSHA),
		SquashCommitSHA:             stringOrNull(mr.SquashCommitSHA),
		ShouldRemoveSourceBranch:    mr.ShouldRemoveSourceBranch,
		ClosedBy:                    closedBy,
		ClosedAt:                    timeOrNull(mr.ClosedAt),
		TargetBranch:                mr.TargetBranch,
		SourceBranch:                mr.SourceBranch,
		UserNotesCount:              userNotes,
		Author:                      s.userJSON(mr.AuthorID),
		Assignees:                   assignees,
		Assignee:                    assignee,
		Reviewers:                   s.usersJSON(mr.ReviewerIDs),
		SourceProjectID:             p.ID,
		TargetProjectID:             p.ID,
		Labels:                      labels,
		Draft:                       mr.Draft,
		ImportedFrom:                "none",
		WorkInProgress:              mr.Draft,
		MergeStatus:                 "can_be_merged",
		DetailedMergeStatus:         detailedMergeStatus(mr),
		DiscussionLocked:            mr.DiscussionLocked,
		ForceRemoveSourceBranch:     mr.RemoveSourceBranch,
		Reference:                   ref,
		References:                  referencesJSON{Short: ref, Relative: ref, Full: p.PathWithNamespace + ref},
		WebURL:                      mr.WebURL,
		Squash:                      mr.Squash,
		SquashOnMerge:               mr.Squash,
		BlockingDiscussionsResolved: true,
	}
}

func (s *Server) mergeRequestJSON(p *project, mr *MergeRequest, level AccessLevel) mergeRequestJSON {
	out := mergeRequestJSON{mergeRequestBasicJSON: s.mergeRequestBasicJSON(p, mr)}
	out.User.CanMerge = level >= Developer
	return out
}

// detailedMergeStatus is the part of GitLab's mergeability checks that does
// not need a repository: state first, then draft.
func detailedMergeStatus(mr *MergeRequest) string {
	switch {
	case mr.State != "opened":
		return "not_open"
	case mr.Draft:
		return "draft_status"
	}
	return "mergeable"
}

type noteJSON struct {
	ID              int            `json:"id"`
	Type            *string        `json:"type"`
	Body            string         `json:"body"`
	Attachment      *string        `json:"attachment"`
	Author          *userJSON      `json:"author"`
	CreatedAt       timestamp      `json:"created_at"`
	UpdatedAt       timestamp      `json:"updated_at"`
	System          bool           `json:"system"`
	NoteableID      int            `json:"noteable_id"`
	NoteableType    string         `json:"noteable_type"`
	ProjectID       int            `json:"project_id"`
	Resolvable      bool           `json:"resolvable"`
	Confidential    bool           `json:"confidential"`
	Internal        bool           `json:"internal"`
	Imported        bool           `json:"imported"`
	ImportedFrom    string         `json:"imported_from"`
	NoteableIID     int            `json:"noteable_iid"`
	CommandsChanges map[string]any `json:"commands_changes"`
}

func (s *Server) noteJSON(p *project, mr *MergeRequest, n *Note) noteJSON {
	return noteJSON{
		ID:              n.ID,
		Body:            n.Body,
		Author:          s.userJSON(n.AuthorID),
		CreatedAt:       timestamp(n.CreatedAt),
		UpdatedAt:       timestamp(n.UpdatedAt),
		System:          n.System,
		NoteableID:      mr.ID,
		NoteableType:    "MergeRequest",
		ProjectID:       p.ID,
		ImportedFrom:    "none",
		NoteableIID:     mr.IID,
		CommandsChanges: map[string]any{},
	}
}

func lastSegment(path string) string {
	return path[strings.LastIndex(path, "/")+1:]
}
