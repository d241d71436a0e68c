"""The hand-written alternative: FastAPI + SQLAlchemy ORM, as a developer would write it for bench/doc.md.

Same endpoints (task by id, filtered list of 20, task with comments, insert,
update), same access check (the JWT's ``sub`` must be a member of the
task's organization), same tokens (HS256 with the shared secret, as an app
behind Supabase Auth verifies them). Plain sync endpoints on FastAPI's
thread pool, a session per request, Pydantic response models: the common
tutorial shape, not tuned. FastAPI is installed at bench time only.

Run: ``BENCH_DB_URL=... BENCH_JWT_SECRET=... uvicorn bench.contenders.fastapi_orm:app``
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, Header, HTTPException
from pydantic import BaseModel, ConfigDict
from sqlalchemy import DateTime, ForeignKey, Integer, String, create_engine, select
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, sessionmaker

Id = String(36).with_variant(PG_UUID(as_uuid=False), "postgresql")
Stamp = DateTime(timezone=True)


class Base(DeclarativeBase):
    pass


class Member(Base):
    __tablename__ = "members"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    organization_id: Mapped[str] = mapped_column(Id)
    user_id: Mapped[str] = mapped_column(Id)
    role: Mapped[str] = mapped_column(String)


class Task(Base):
    __tablename__ = "tasks"
    id: Mapped[str] = mapped_column(Id, primary_key=True, default=lambda: str(uuid.uuid4()))
    organization_id: Mapped[str] = mapped_column(Id)
    project_id: Mapped[str] = mapped_column(Id)
    title: Mapped[str] = mapped_column(String)
    status: Mapped[str] = mapped_column(String, default="todo")
    priority: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(Stamp, default=lambda: datetime.now(UTC))
    updated_at: Mapped[datetime] = mapped_column(Stamp, default=lambda: datetime.now(UTC))
    comments: Mapped[list[Comment]] = relationship(back_populates="task", lazy="select")


class Comment(Base):
    __tablename__ = "comments"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    organization_id: Mapped[str] = mapped_column(Id)
    task_id: Mapped[str] = mapped_column(Id, ForeignKey("tasks.id"))
    author_id: Mapped[str] = mapped_column(Id)
    body: Mapped[str] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(Stamp)
    task: Mapped[Task] = relationship(back_populates="comments")


class CommentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    organization_id: str
    task_id: str
    author_id: str
    body: str
    created_at: datetime


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    organization_id: str
    project_id: str
    title: str
    status: str
    priority: int
    created_at: datetime
    updated_at: datetime


class TaskWithComments(TaskOut):
    comments: list[CommentOut]


class TaskIn(BaseModel):
    organization_id: str
    project_id: str
    title: str
    status: str = "todo"
    priority: int = 0


class TaskPatch(BaseModel):
    title: str | None = None
    status: str | None = None
    priority: int | None = None


def _engine_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


engine = create_engine(_engine_url(os.environ["BENCH_DB_URL"]), pool_size=20, max_overflow=20)
SessionLocal = sessionmaker(engine, expire_on_commit=False)
SECRET = os.environ["BENCH_JWT_SECRET"]
app = FastAPI()


def get_session():
    with SessionLocal() as session:
        yield session


def current_user(authorization: str = Header("")) -> str:
    token = authorization.removeprefix("Bearer ")
    try:
        claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience="authenticated")
    except jwt.PyJWTError:
        raise HTTPException(401, "invalid token") from None
    return claims["sub"]


UserId = Annotated[str, Depends(current_user)]
Db = Annotated[Session, Depends(get_session)]


def user_orgs(session: Session, user_id: str) -> list[str]:
    return list(session.scalars(select(Member.organization_id).where(Member.user_id == user_id)))


def visible_task(session: Session, user_id: str, task_id: str) -> Task:
    task = session.scalar(select(Task).where(Task.id == task_id, Task.organization_id.in_(user_orgs(session, user_id))))
    if task is None:
        raise HTTPException(404, "not found")
    return task


@app.get("/tasks/{task_id}")
def read_task(task_id: str, user: UserId, session: Db, with_comments: bool = False):
    task = visible_task(session, user, task_id)
    if with_comments:
        return TaskWithComments.model_validate(task)
    return TaskOut.model_validate(task)


@app.get("/tasks", response_model=list[TaskOut])
def list_tasks(organization_id: str, status: str, user: UserId, session: Db, limit: int = 20):
    if organization_id not in user_orgs(session, user):
        return []
    query = (
        select(Task)
        .where(Task.organization_id == organization_id, Task.status == status)
        .order_by(Task.created_at.desc())
        .limit(min(limit, 100))
    )
    return session.scalars(query).all()


@app.post("/tasks", response_model=TaskOut, status_code=201)
def create_task(body: TaskIn, user: UserId, session: Db):
    if body.organization_id not in user_orgs(session, user):
        raise HTTPException(403, "not a member")
    task = Task(**body.model_dump())
    session.add(task)
    session.commit()
    return task


@app.patch("/tasks/{task_id}", response_model=TaskOut)
def update_task(task_id: str, body: TaskPatch, user: UserId, session: Db):
    task = visible_task(session, user, task_id)
    for name, value in body.model_dump(exclude_unset=True).items():
        setattr(task, name, value)
    task.updated_at = datetime.now(UTC)
    session.commit()
    return task
